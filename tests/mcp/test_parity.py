"""REST and MCP offer the same operations: every REST operation id is a tool, and back.

The REST app is read through its OpenAPI document, so a new endpoint without a tool (or a tool
without an endpoint) fails here unless EXCLUDED_OPERATIONS says why.
"""

from __future__ import annotations

from typing import Any

import pytest

from entrypoints.mcp.server import EXCLUDED_OPERATIONS

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
# REST parameters that MCP takes in another shape, by operation.
RESHAPED = {
    # REST's JSON-string ``options`` are plain arguments of the tool.
    "get_contract_details": {"options"},
}


@pytest.fixture
def openapi(services) -> dict[str, Any]:
    from entrypoints.http.app import create_http_app

    return create_http_app(services).openapi_schema.to_schema()


def rest_operations(openapi: dict[str, Any]) -> dict[str, set[str]]:
    """operation id -> names of its query/path parameters and JSON body fields."""
    operations: dict[str, set[str]] = {}
    for item in openapi["paths"].values():
        for method in HTTP_METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            names = {p["name"] for p in operation.get("parameters", []) if p["in"] != "header"}
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                names |= set(_resolve(openapi, body["schema"]).get("properties", {}))
            operations[operation["operationId"]] = names
    return operations


def _resolve(openapi: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = openapi["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


async def test_every_rest_operation_is_a_tool_and_every_tool_a_rest_operation(openapi, client):
    rest = set(rest_operations(openapi))
    tools = {tool.name for tool in await client.list_tools()}
    assert sorted(rest - tools - set(EXCLUDED_OPERATIONS)) == [], "REST operations without a tool"
    assert sorted(tools - rest) == [], "tools without a REST operation"
    assert sorted(set(EXCLUDED_OPERATIONS) - rest) == [], "exclusions of operations that are gone"


async def test_tools_take_the_rest_parameters_by_the_same_names(openapi, client):
    tools = {tool.name: tool for tool in await client.list_tools()}
    missing = {}
    for operation, names in rest_operations(openapi).items():
        if operation not in tools:
            continue
        offered = set(tools[operation].input_schema.get("properties", {}))
        absent = names - offered - RESHAPED.get(operation, set())
        if absent:
            missing[operation] = sorted(absent)
    assert missing == {}

"""REST and MCP offer the same operations, with the same parameters, bounds and enums.

Both doors are read as a client sees them: the REST app through its OpenAPI document, the MCP
server through ``list_tools``. Each operation of the catalog is then compared parameter by
parameter, so a door that stops rendering a declaration faithfully fails here.
"""

from __future__ import annotations

from typing import Any

import pytest

from entrypoints.catalog import CATALOG
from entrypoints.catalog.details import brief
from entrypoints.catalog.operation import Operation
from entrypoints.mcp.server import EXCLUDED_OPERATIONS
from entrypoints.mcp.tools import is_guard

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
# What a parameter means for a client: its type and every rule on its value.
ESSENTIALS = (
    "type", "enum", "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    "minLength", "maxLength", "pattern", "minItems", "maxItems", "default",
    "additionalProperties", "required",
)  # fmt: skip


@pytest.fixture
def openapi(services) -> dict[str, Any]:
    from entrypoints.http.app import create_http_app

    return create_http_app(services).openapi_schema.to_schema()


@pytest.fixture
async def tools(client) -> dict[str, Any]:
    return {tool.name: tool for tool in await client.list_tools()}


def rest_operations(openapi: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """operation id -> its OpenAPI operation."""
    return {
        operation["operationId"]: operation
        for item in openapi["paths"].values()
        for method in HTTP_METHODS
        if (operation := item.get(method)) is not None
    }


def rest_parameters(openapi: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any]:
    """Name -> (schema, required, description) of the path, query and header parameters and
    the body's fields.

    A JSON-valued query parameter is compared by its content (the object it carries)."""
    found: dict[str, Any] = {}
    for parameter in operation.get("parameters", []):
        schema = parameter["schema"]
        content = schema.get("contentSchema", schema)
        found[parameter["name"]] = (content, parameter["required"], parameter["description"])
    body = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if body:
        model = _resolve(openapi, body["schema"])
        for name, schema in model["properties"].items():
            found[name] = (schema, name in model.get("required", []), schema["description"])
    return found


def mcp_parameters(tool: Any) -> dict[str, Any]:
    schema = tool.input_schema
    return {
        name: (prop, name in schema.get("required", []))
        for name, prop in schema["properties"].items()
    }


def essentials(schema: dict[str, Any]) -> dict[str, Any]:
    """The rules of a schema (nested ones too), without its wording; an optional value's
    ``null`` branch and ``null`` default are left out (REST has no null, only absence), and
    so are the guards MCP leaves to the decoder (``tools.is_guard``: a string's length cap, a
    number's finite ceiling, an id's 32-bit range)."""
    branches = schema.get("anyOf")
    if branches is not None:
        kept = [b for b in branches if b != {"type": "null"}]
        if len(kept) == 1:
            schema = {**kept[0], **{k: v for k, v in schema.items() if k != "anyOf"}}
    rules = {
        key: schema[key]
        for key in ESSENTIALS
        if key in schema and not is_guard(key, schema[key], schema)
    }
    if rules.get("default", ...) is None:
        del rules["default"]
    if rules.get("required") == []:  # none required: said or not
        del rules["required"]
    if "enum" in rules:
        rules["enum"] = sorted(v for v in rules["enum"] if v is not None)
    if "items" in schema:
        rules["items"] = essentials(schema["items"])
    if "properties" in schema:
        rules["properties"] = {k: essentials(v) for k, v in schema["properties"].items()}
    return rules


def door_names(op: Operation) -> tuple[dict[str, str], set[str], set[str]]:
    """REST name -> MCP name of the extras both doors take; REST-only and MCP-only names."""
    both, rest_only, mcp_only = {}, set(), set()
    for extra in op.extras:
        rest_name = extra.header or (extra.name if extra.query else None)
        if rest_name and extra.mcp:
            both[rest_name] = extra.name
        elif rest_name:
            rest_only.add(rest_name)
        elif extra.mcp:
            mcp_only.add(extra.name)
    return both, rest_only, mcp_only


def _resolve(openapi: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = openapi["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


async def test_every_rest_operation_is_a_tool_and_every_tool_a_rest_operation(openapi, tools):
    rest = set(rest_operations(openapi))
    assert sorted(rest - set(tools) - set(EXCLUDED_OPERATIONS)) == [], "REST without a tool"
    assert sorted(set(tools) - rest) == [], "tools without a REST operation"
    assert sorted(set(EXCLUDED_OPERATIONS) - rest) == [], "exclusions of operations that are gone"
    assert set(tools) == {op.name for op in CATALOG}


@pytest.mark.parametrize("op", CATALOG, ids=lambda op: op.name)
async def test_rest_and_mcp_take_the_same_parameters_with_the_same_rules(op, openapi, tools):
    rest = rest_parameters(openapi, rest_operations(openapi)[op.name])
    mcp = mcp_parameters(tools[op.name])
    both, rest_only, mcp_only = door_names(op)
    rest = {both.get(name, name): value for name, value in rest.items() if name not in rest_only}
    mcp = {name: value for name, value in mcp.items() if name not in mcp_only}
    assert sorted(rest) == sorted(mcp), "the doors take different parameters"
    # A preview's arguments are described once, by the tool it previews.
    describer = mcp_parameters(tools[op.mcp.same_input_as]) if op.mcp.same_input_as else mcp
    for name, (schema, required, description) in rest.items():
        mcp_schema, mcp_required = mcp[name]
        assert essentials(schema) == essentials(mcp_schema), name
        assert required == mcp_required, name
        # One text, without its details part on MCP; REST may add how to write the value in
        # a query string.
        words = describer.get(name, mcp[name])[0]["description"]
        assert words and brief(description).startswith(words), name


async def test_the_rules_compared_are_there(openapi, tools):
    """The comparison above is not vacuous: bounds, enums and defaults are in both doors."""
    history = rest_parameters(openapi, rest_operations(openapi)["get_historical_data"])
    assert history["contract_id"][0]["minimum"] == 1
    assert "1 hour" in history["bar_size"][0]["enum"]
    assert history["duration"][0]["default"] == "1 D"
    # MCP writes an optional value as its type alone (tools.compact), REST as anyOf with null.
    filters = mcp_parameters(tools["get_options_chain"])["filters"][0]
    assert filters["properties"]["strikes"]["items"]["exclusiveMinimum"] == 0
    tickers = rest_parameters(openapi, rest_operations(openapi)["get_tickers"])
    assert tickers["contract_ids"][0]["maxItems"] == 50

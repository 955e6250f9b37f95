"""What happens around every tool call (entrypoints/mcp/middleware.py), in one layer: a tool
left out is refused with its reason, each call offered is counted and logged once: on its
request's access line over HTTP (with sessions or without), on a line of its own otherwise."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import fastmcp
import httpx
import pytest
from fastmcp import Client
from fastmcp.exceptions import ToolError

from application.container import build_services
from entrypoints.logging import configure_logging
from entrypoints.mcp.middleware import ToolCalls
from entrypoints.mcp.server import build_mcp
from entrypoints.metrics import ServiceMetrics
from entrypoints.toolsets import select
from tests.fakes import FakeBroker, FakeClock, FakeGateway
from tests.mcp.test_http import INITIALIZE, MCP_HEADERS
from tests.safety.apps import full_app
from tests.servers import serving

LIMIT = 10.0
Lines = Callable[[], list[dict[str, Any]]]


@pytest.fixture
def log_lines() -> Iterator[Lines]:
    stream = io.StringIO()
    configure_logging(log_format="json", level="INFO", stream=stream)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines() if line]
    finally:
        configure_logging(log_format="console", level="INFO")


def _counted(metrics: ServiceMetrics, tool: str, outcome: str) -> float:
    value = metrics.registry.get_sample_value(
        "ibkr_mcp_requests_total", {"door": "mcp", "operation": tool, "status": outcome}
    )
    return value or 0.0


def test_a_call_passes_one_middleware_of_ours_and_none_of_fastmcps():
    mcp = build_mcp(build_services(FakeBroker(), FakeGateway(), FakeClock()), metrics=None)
    assert [type(layer) for layer in mcp.middleware] == [ToolCalls]


def test_fastmcp_makes_no_spans_in_the_service(log_lines: Lines):
    # The service sets up no OpenTelemetry SDK: FastMCP's spans would cost and record nothing.
    assert fastmcp.settings.telemetry_mode == "propagation_only"


@pytest.mark.parametrize(
    ("given", "used", "warned"),
    [("native", "native", False), ("enabled", "propagation_only", True)],
)
def test_the_operators_telemetry_mode_is_kept_when_fastmcp_takes_it(
    monkeypatch: pytest.MonkeyPatch, given: str, used: str, warned: bool
):
    monkeypatch.setenv("FASTMCP_TELEMETRY_MODE", given)
    stream = io.StringIO()
    try:
        configure_logging(log_format="json", level="INFO", stream=stream)
        assert fastmcp.settings.telemetry_mode == used
        lines = [json.loads(line) for line in stream.getvalue().splitlines() if line]
        refused = [e for e in lines if e["event"] == "settings.fastmcp_value_refused"]
        assert bool(refused) is warned
        if warned:
            assert refused[0]["level"] == "warning" and "native" in refused[0]["message"]
    finally:
        monkeypatch.delenv("FASTMCP_TELEMETRY_MODE")
        configure_logging(log_format="console", level="INFO")
    assert fastmcp.settings.telemetry_mode == "propagation_only"


async def test_a_called_tool_is_found_by_name_and_an_unknown_one_is_not():
    mcp = build_mcp(build_services(FakeBroker(), FakeGateway(), FakeClock()))
    async with Client(mcp, timeout=LIMIT, init_timeout=LIMIT) as client:
        status = await client.call_tool("get_connection_status", {})
        assert status.structured_content is not None
        assert status.structured_content["connected"] is True
        with pytest.raises(ToolError, match="Unknown tool: 'no_such_tool'"):
            await client.call_tool("no_such_tool", {})


async def test_listed_schemas_hold_no_references_to_resolve():
    # FastMCP's own inlining is off (one layer less per call): ours must leave none behind.
    services = build_services(FakeBroker(), FakeGateway(), FakeClock())
    mcp = build_mcp(services, selection=select(profile="full"), output_schemas=True)
    async with Client(mcp, timeout=LIMIT, init_timeout=LIMIT) as client:
        tools = await client.list_tools_mcp()
        templates = await client.list_resource_templates_mcp()
    listing = tools.model_dump_json(by_alias=True) + templates.model_dump_json(by_alias=True)
    assert '"$ref"' not in listing and '"$defs"' not in listing
    # No argument travels in an Mcp-Param header either (entrypoints/mcp/tool_index.py).
    assert "x-mcp-header" not in listing
    # A result holding structs (the data farms of a connection status) has them inline.
    status = next(tool for tool in tools.tools if tool.name == "get_connection_status")
    assert "One of IB's data farms" in json.dumps(status.output_schema)


async def test_without_http_each_call_has_a_line_of_its_own(log_lines: Lines):
    metrics = ServiceMetrics()
    services = build_services(FakeBroker(), FakeGateway(), FakeClock())
    mcp = build_mcp(services, metrics=metrics, read_only=True)
    async with Client(mcp, timeout=LIMIT, init_timeout=LIMIT) as client:
        await client.call_tool("get_positions", {})
        failed = await client.call_tool("get_order_status", {"order_id": 999}, raise_on_error=False)
        assert failed.is_error
        with pytest.raises(ToolError, match=r"tool_not_offered: place_order .* read-only"):
            await client.call_tool("place_order", {"contract_id": 1, "action": "BUY"})
    calls = [e for e in log_lines() if e["event"] == "mcp.tool_call"]
    assert [(e["tool"], e["outcome"]) for e in calls] == [
        ("get_positions", "ok"),
        ("get_order_status", "error"),
        ("place_order", "refused"),
    ]
    assert all(e["duration_ms"] >= 0 for e in calls)
    assert _counted(metrics, "get_positions", "ok") == 1
    assert _counted(metrics, "get_order_status", "error") == 1
    assert _counted(metrics, "place_order", "error") == 0  # refused, never called


@pytest.mark.parametrize(
    ("stateful", "mode"),
    [(False, "auto"), (True, "auto"), (True, "legacy")],
    ids=["stateless", "sessions-server", "sessions-handshake-client"],
)
async def test_over_http_the_requests_access_line_tells_of_its_call(
    tmp_path: Path, log_lines: Lines, stateful: bool, mode: Any
):
    app = full_app(FakeBroker(), tmp_path / "audit.jsonl", mcp_stateful=stateful)
    async with (
        serving(app, limit=LIMIT) as url,
        Client(f"{url}/mcp/", mode=mode, timeout=LIMIT, init_timeout=LIMIT) as client,
    ):
        await client.call_tool("get_positions", {})
        failed = await client.call_tool("get_order_status", {"order_id": 999}, raise_on_error=False)
        assert failed.is_error
        await client.call_tool("get_positions", {})
    lines = log_lines()
    access = [e for e in lines if e["event"] == "http.request"]
    assert all(e["path"] == "/mcp/" for e in access)
    calls = [(e["operation"], e["outcome"], e["status"]) for e in access if "outcome" in e]
    assert calls == [
        ("get_positions", "ok", 200),
        ("get_order_status", "error", 200),
        ("get_positions", "ok", 200),
    ]
    assert not [e for e in lines if e["event"] == "mcp.tool_call"]  # no second line
    # The session's other requests (initialize, its notification, ...) are the transport's.
    assert {e["operation"] for e in access if "outcome" not in e} == {"mcp_transport"}


async def _until(found: Callable[[], object]) -> None:
    """Wait (at most LIMIT seconds) until ``found()`` is truthy: it polls the captured log."""
    async with asyncio.timeout(LIMIT):
        while not found():  # noqa: ASYNC110 (a log to poll, no event to wait on)
            await asyncio.sleep(0.02)


class SlowPositions(FakeBroker):
    def __init__(self, release: asyncio.Event) -> None:
        super().__init__()
        self.release = release

    async def positions(self, account_id: str | None = None) -> Any:
        await self.release.wait()
        return await super().positions(account_id)


async def test_a_session_call_that_outlasts_its_request_gets_a_line_of_its_own(
    tmp_path: Path, log_lines: Lines
):
    """With sessions a call runs in the session's task: when its client hangs up first, the
    request's access line is written without the call, and the call is logged when it ends."""
    release = asyncio.Event()
    app = full_app(SlowPositions(release), tmp_path / "audit.jsonl", mcp_stateful=True)
    async with serving(app, limit=LIMIT) as url, httpx.AsyncClient(timeout=LIMIT) as http:
        opened = await http.post(f"{url}/mcp/", json=INITIALIZE, headers=MCP_HEADERS)
        headers = {
            **MCP_HEADERS,
            "mcp-protocol-version": "2025-06-18",
            "mcp-session-id": opened.headers["mcp-session-id"],
        }
        note = {"jsonrpc": "2.0", "method": "notifications/initialized"}
        await http.post(f"{url}/mcp/", json=note, headers=headers)
        call = {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                "params": {"name": "get_positions", "arguments": {}}}  # fmt: skip
        with pytest.raises(httpx.TimeoutException):  # the client hangs up
            await http.post(f"{url}/mcp/", json=call, headers=headers, timeout=0.3)
        # Its access line is written when the server sees the hang-up, without the call.
        await _until(lambda: [e for e in log_lines() if e.get("duration_ms", 0) >= 250])
        release.set()
        await _until(lambda: [e for e in log_lines() if e["event"] == "mcp.tool_call"])
    lines = log_lines()
    (logged,) = [e for e in lines if e["event"] == "mcp.tool_call"]
    assert (logged["tool"], logged["outcome"]) == ("get_positions", "ok")
    assert logged["duration_ms"] >= 300
    assert not [e for e in lines if e["event"] == "http.request" and "outcome" in e]


async def test_the_text_block_holds_the_structured_content_as_json():
    mcp = build_mcp(build_services(FakeBroker(), FakeGateway(), FakeClock()))
    async with Client(mcp, timeout=LIMIT, init_timeout=LIMIT) as client:
        result = await client.call_tool_mcp("get_connection_status", {})
    assert not result.is_error and len(result.content) == 1
    block = result.content[0]
    assert block.type == "text" and json.loads(block.text) == result.structured_content

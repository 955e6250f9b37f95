"""The access line of a ``POST /mcp`` that called a tool names the tool as its operation, in
stateless and stateful mode alike; the rest of the MCP session is ``mcp_transport``. The whole
service (``build_app`` on the fakes), its log lines captured."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastmcp import Client
from structlog.testing import capture_logs

from tests.mcp.conftest import TIMEOUT, seeded_broker
from tests.safety.apps import full_app
from tests.servers import serving


@pytest.mark.parametrize("stateful", [False, True], ids=["stateless", "stateful"])
async def test_a_tool_calls_access_line_names_the_tool(tmp_path: Path, stateful: bool) -> None:
    app = full_app(seeded_broker(), tmp_path / "audit.jsonl", mcp_stateful=stateful)
    mode: Any = "legacy" if stateful else "auto"
    with capture_logs() as events:
        async with serving(app, limit=TIMEOUT) as base:
            url = f"{base}/mcp/"
            async with Client(url, mode=mode, timeout=TIMEOUT, init_timeout=TIMEOUT) as mcp:
                await mcp.call_tool("get_positions", {})
                failed = await mcp.call_tool(
                    "get_order_status", {"order_id": 999999}, raise_on_error=False
                )
                assert failed.is_error
                await mcp.list_tools()
    access = [e for e in events if e["event"] == "http.request"]
    assert access and all(e["path"] == "/mcp/" for e in access), access
    called = [e["operation"] for e in access if e["operation"] != "mcp_transport"]
    assert sorted(called) == ["get_order_status", "get_positions"], access
    assert all(
        e["method"] == "POST" and e["status"] == 200 for e in access if e["operation"] in called
    )

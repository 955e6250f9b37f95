from __future__ import annotations

import pytest
from fastmcp.exceptions import ToolError

from domain.errors import BrokerTimeout, GatewayError, NotSupported


async def test_connection_status(call):
    status = await call("get_connection_status")
    assert status["connected"] is True
    assert status["state"] == "connected"
    assert status["server_version"] == "10.19"


async def test_reconnect_brings_the_session_back(call, broker):
    broker.connected = False
    result = await call("reconnect")
    assert result["success"] is True
    assert broker.reconnects == 1


async def test_connection_timeout_suggests_checking_status(client, broker):
    broker.fail("reconnect", BrokerTimeout("The gateway did not answer within 20 s"))
    result = await client.call_tool("reconnect", {})
    # The service turns a failed reconnect into success=false, not an error.
    assert result.structured_content["success"] is False
    assert "did not answer" in result.structured_content["message"]


async def test_gateway_status(call):
    status = await call("get_gateway_status")
    assert (status["status"], status["kind"], status["phase"]) == ("running", "docker", "ready")
    assert status["container_id"] == "a1b2c3d4e5f6"


async def test_gateway_logs_tail(call):
    logs = await call("get_gateway_logs", tail=3)
    assert logs["lines"] == ["line 298", "line 299", "line 300"]
    assert logs["tail"] == 3


@pytest.mark.parametrize("mcp_limits", [{"max_log_lines": 50}])
async def test_gateway_logs_are_capped_in_count_and_line_length(call, client, gateway):
    gateway.log_lines[-1] = "x" * 5000
    logs = await call("get_gateway_logs", tail=50)
    assert len(logs["lines"]) == 50
    assert len(logs["lines"][-1]) < 1100 and logs["lines"][-1].endswith("...[cut]")
    # tail is bounded as over REST (1-5000); the answer is capped at the server's limit.
    more = await call("get_gateway_logs", tail=51)
    assert len(more["lines"]) == 50 and more["lines"][-1] == logs["lines"][-1]
    with pytest.raises(ToolError, match=r"invalid_request: tail: Expected `int` <= 5000"):
        await client.call_tool("get_gateway_logs", {"tail": 5001})


async def test_logs_of_an_external_gateway_are_not_supported(client, gateway):
    gateway.fail("logs", NotSupported("An external gateway's logs are not reachable"))
    with pytest.raises(ToolError, match="not_supported: An external gateway's logs"):
        await client.call_tool("get_gateway_logs", {})


async def test_restart_gateway(call, gateway):
    result = await call("restart_gateway")
    assert result["success"] is True and result["restart_count"] == 1
    assert gateway.called("restart") == [()]


async def test_failed_restart_points_to_status_and_logs(client, gateway):
    gateway.fail("restart", GatewayError("Container ibkr-gateway is gone"))
    with pytest.raises(
        ToolError, match=r"gateway_error: Container ibkr-gateway is gone. .*get_gateway_logs"
    ):
        await client.call_tool("restart_gateway", {})


async def test_health_reports_each_check(call, broker):
    broker.connected = False
    report = await call("get_health")
    assert report["status"] == "degraded" and report["ready"] is False
    assert report["checks"]["gateway"]["ok"] is True
    assert report["checks"]["broker"]["ok"] is False


async def test_an_unexpected_exception_is_a_generic_tool_error_without_details(
    client, broker, caplog
):
    broker.fail("positions", RuntimeError("socket password=hunter2 exploded"))
    with caplog.at_level("ERROR", logger="ibkr_mcp.mcp"), pytest.raises(ToolError) as caught:
        await client.call_tool("get_positions", {})
    text = str(caught.value)
    assert text.startswith("internal_error: get_positions failed unexpectedly")
    assert "hunter2" not in text and "Traceback" not in text and "RuntimeError" not in text
    assert any(r.exc_info and "get_positions" in r.getMessage() for r in caplog.records)
    # The session survives: the next call works.
    assert (await client.call_tool("get_account_summary", {})).structured_content

"""Start-up refusals, read-only mode and live accounts, on both front doors."""

from __future__ import annotations

import pytest
from fastmcp import Client
from fastmcp.exceptions import ToolError
from litestar.testing import TestClient

from entrypoints.cli import main
from entrypoints.mcp.server import READ_ONLY_EXCLUDED, build_mcp
from entrypoints.settings import Secret, SettingsError, settings_from_env
from tests.fakes import FakeBroker
from tests.safety.apps import ORDER, TOKENS, full_app
from tests.safety.conftest import AAPL, audit_lines


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "example.com"])
def test_a_non_loopback_bind_without_a_token_refuses_to_start(host, capsys):
    with pytest.raises(SettingsError, match=r"without authentication.*IBKR_MCP_TOKEN"):
        settings_from_env({}, host=host)
    assert main(["serve", "--host", host]) == 2
    assert "IBKR_MCP_TOKEN" in capsys.readouterr().err


def test_a_non_loopback_bind_with_a_token_is_allowed(tmp_path):
    assert settings_from_env({"IBKR_MCP_TOKEN": TOKENS}, host="0.0.0.0").tokens().names == [
        "ops",
        "claude",
    ]
    token_file = tmp_path / "tokens"
    token_file.write_text("# name:token\nci:ci-token-0123456789abc\n")
    token_file.chmod(0o600)
    assert settings_from_env({}, host="0.0.0.0", token_file=token_file).tokens().names == ["ci"]


def test_a_bad_token_setting_is_a_settings_error_that_does_not_show_the_token():
    with pytest.raises(SettingsError) as caught:
        settings_from_env({}, token=Secret("ops:short-secret"))
    assert "short-secret" not in str(caught.value) and "ops" in str(caught.value)


def test_read_only_refuses_orders_over_rest_with_the_reason(broker, audit_path):
    with TestClient(full_app(broker, audit_path, read_only=True)) as client:
        placed = client.post("/ibkr/orders/place", json=ORDER)
        previewed = client.post("/ibkr/orders/preview", json=ORDER)
        cancelled = client.delete("/ibkr/orders/1")
        restarted = client.post("/gateway/restart")
        assert client.get("/ibkr/account/summary").status_code == 200
    for response in (placed, previewed, cancelled, restarted):
        assert response.status_code == 403, response.text
        body = response.json()
        assert body["code"] == "read_only" and body["rule"] == "read_only"
        assert "--read-only" in body["error"]
    assert broker.called("place_order") == [] and broker.called("cancel_order") == []
    assert [e.action for e in audit_lines(audit_path)] == ["refusal"] * 3


async def test_read_only_hides_the_state_changing_mcp_tools(broker):
    from application.container import build_services
    from domain.safety import TradingPolicy
    from tests.fakes import FakeGateway

    services = build_services(broker, FakeGateway(), policy=TradingPolicy(read_only=True))
    mcp = build_mcp(services)
    async with Client(mcp) as client:
        names = {tool.name for tool in await client.list_tools()}
        # Not listed, and a call says why rather than "Unknown tool".
        with pytest.raises(ToolError, match=r"not offered by this server: .* read-only"):
            await client.call_tool("place_order", ORDER)
    assert names.isdisjoint(READ_ONLY_EXCLUDED)
    assert {"get_open_orders", "get_order_audit", "get_positions"} <= names
    assert "READ-ONLY" in (mcp.instructions or "")
    assert broker.called("place_order") == []


def live_broker(source: FakeBroker) -> FakeBroker:
    live = FakeBroker(account_id="U7654321")
    live.contracts, live.quotes = source.contracts, source.quotes
    return live


def test_a_live_account_refuses_orders_without_the_flag(broker, audit_path):
    live = live_broker(broker)
    with TestClient(full_app(live, audit_path)) as client:
        placed = client.post("/ibkr/orders/place", json=ORDER)
        previewed = client.post("/ibkr/orders/preview", json=ORDER)
    for response in (placed, previewed):
        assert response.status_code == 403
        assert response.json()["code"] == "live_trading_disabled"
        assert "--allow-live-trading" in response.json()["error"]
    assert live.called("place_order") == [] and live.called("what_if") == []


def test_a_live_account_with_the_flag_trades_only_after_a_preview(broker, audit_path):
    live = live_broker(broker)
    with TestClient(full_app(live, audit_path, allow_live_trading=True)) as client:
        unconfirmed = client.post("/ibkr/orders/place", json=ORDER)
        token = client.post("/ibkr/orders/preview", json=ORDER).json()["confirmation_token"]
        placed = client.post(
            "/ibkr/orders/place", json=ORDER, headers={"Confirmation-Token": token}
        )
    assert unconfirmed.status_code == 422 and unconfirmed.json()["code"] == "preview_required"
    assert placed.status_code == 200 and placed.json()["status"] == "Filled"
    assert [c.con_id for c, _ in live.order_requests.values()] == [AAPL.con_id]


def test_a_token_file_others_may_write_refuses_to_start(tmp_path, capsys):
    token_file = tmp_path / "tokens"
    token_file.write_text("ci:ci-token-0123456789abc\n")
    token_file.chmod(0o666)
    assert main(["serve", "--token-file", str(token_file)]) == 2
    err = capsys.readouterr().err
    assert "writable by other users" in err and f"chmod 600 {token_file}" in err
    assert "ci-token-0123456789abc" not in err

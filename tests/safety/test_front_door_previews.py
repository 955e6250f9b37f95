"""Previews and refusals as each front door words them; one audit line per action."""

from __future__ import annotations

import pytest
from fastmcp import Client
from fastmcp.exceptions import ToolError
from litestar.testing import TestClient

from application.container import build_services
from domain.safety import TradingPolicy
from entrypoints.mcp.server import build_mcp
from tests.fakes import FakeGateway, InMemoryAuditLog
from tests.safety.apps import ORDER, full_app
from tests.safety.conftest import audit_lines


def test_an_expired_token_is_refused_over_rest(broker, audit_path, clock):
    with TestClient(full_app(broker, audit_path, clock, require_preview=True)) as client:
        token = client.post("/ibkr/orders/preview", json=ORDER).json()["confirmation_token"]
        clock.advance(121)
        late = client.post("/ibkr/orders/place", json=ORDER, headers={"Confirmation-Token": token})
        unknown = client.post(
            "/ibkr/orders/place", json=ORDER, headers={"Confirmation-Token": "made-up-token"}
        )
    assert late.status_code == 422 and late.json()["reason"] == "expired"
    assert unknown.status_code == 422 and unknown.json()["reason"] == "unknown"
    assert broker.called("place_order") == []
    assert [e.action for e in audit_lines(audit_path)] == ["preview", "refusal", "refusal"]


def test_every_action_is_one_audit_line_in_order(broker, audit_path):
    with TestClient(full_app(broker, audit_path, max_order_quantity=100.0)) as client:
        client.post("/ibkr/orders/preview", json=ORDER)
        resting = {**ORDER, "order_type": "LMT", "limit_price": 1.0}
        order_id = client.post("/ibkr/orders/place", json=resting).json()["order_id"]
        client.post("/ibkr/orders/place", json={**ORDER, "quantity": 1000})
        client.delete(f"/ibkr/orders/{order_id}")
        trail = client.get("/ibkr/orders/audit").json()
    lines = audit_path.read_text().splitlines()
    entries = audit_lines(audit_path)
    assert len(lines) == 4
    assert [(e.action, e.operation) for e in entries] == [
        ("preview", "preview"), ("place", "place"), ("refusal", "place"), ("cancel", "cancel"),
    ]  # fmt: skip
    assert entries[1].order_id == entries[3].order_id == order_id
    assert entries[2].error is not None and entries[2].error.rule == "max_order_quantity"
    assert [e["action"] for e in trail] == ["cancel", "refusal", "place", "preview"]


@pytest.fixture
async def agent(broker):
    """An MCP client over the default policy: agents must preview."""
    audit = InMemoryAuditLog()
    policy = TradingPolicy(max_order_quantity=50)
    services = build_services(broker, FakeGateway(), policy=policy, audit=audit)
    async with Client(build_mcp(services)) as client:
        yield client, audit


async def test_an_agent_is_told_to_preview_and_then_places_with_the_token(agent, broker):
    client, audit = agent
    with pytest.raises(ToolError) as refused:
        await client.call_tool("place_order", ORDER)
    assert str(refused.value).startswith("preview_required:")
    assert "Call preview_order with the same arguments" in str(refused.value)
    preview = (await client.call_tool("preview_order", ORDER)).structured_content
    assert preview["commission"] == 1.0 and preview["order"]["quantity"] == 10
    with pytest.raises(ToolError, match="invalid_confirmation: The order does not match"):
        await client.call_tool(
            "place_order",
            {**ORDER, "quantity": 11, "confirmation_token": preview["confirmation_token"]},
        )
    placed = await client.call_tool(
        "place_order", {**ORDER, "confirmation_token": preview["confirmation_token"]}
    )
    assert placed.structured_content["status"] == "Filled"
    assert [(e.caller, e.transport, e.action) for e in audit.entries] == [
        ("stdio", "stdio", "refusal"), ("stdio", "stdio", "preview"),
        ("stdio", "stdio", "refusal"), ("stdio", "stdio", "place"),
    ]  # fmt: skip


async def test_a_guardrail_refusal_names_the_rule_for_an_agent(agent, broker):
    client, _ = agent
    with pytest.raises(ToolError) as refused:
        await client.call_tool("preview_order", {**ORDER, "quantity": 51})
    text = str(refused.value)
    assert text.startswith("guardrail_violation:") and "max_order_quantity" in text
    assert "Nothing was sent to IB" in text
    assert broker.called("what_if") == [] and broker.called("place_order") == []

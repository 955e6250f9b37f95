"""The human in the loop: a real MCP client with an elicitation handler (in memory).

A client that can be asked is shown the order (with IB's what-if and the account) and its
yes places exactly that order without a preview token; its no refuses the call and is audited.
A client without elicitation keeps the preview-token flow, and so does a client of the
2026-07-28 era (``mode="auto"`` here), whose protocol has no server-to-client requests.
Handshake-era clients (``mode="legacy"``: stdio and stateful HTTP clients today) are asked.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastmcp import Client
from fastmcp.client.elicitation import ElicitResult
from fastmcp.exceptions import ToolError

from tests.mcp.conftest import AAPL, TIMEOUT

ORDER = {"contract_id": AAPL, "action": "BUY", "quantity": 5, "order_type": "LMT",
         "limit_price": 150.0}  # fmt: skip
BRACKET = {**ORDER, "take_profit": {"percent": 1}, "stop_loss": {"percent": 1}}


@pytest.fixture
def policy():
    from domain.safety import TradingPolicy

    return TradingPolicy()  # previews required for agents: the default


def _human(answer: bool | None, asked: list[str]):
    async def handler(message: str, response_type: Any, params: Any, context: Any) -> Any:
        asked.append(message)
        if answer is None:
            return ElicitResult(action="decline")
        return answer

    return handler


async def test_a_yes_places_the_order_shown(mcp, broker) -> None:
    asked: list[str] = []
    async with Client(
        mcp, timeout=TIMEOUT, elicitation_handler=_human(True, asked), mode="legacy"
    ) as client:
        placed = await client.call_tool("place_order", ORDER)
        bracket = await client.call_tool("place_bracket_order", BRACKET)
        cancelled = await client.call_tool("cancel_all_orders", {"confirm": True})
    assert placed.structured_content["status"] == "Submitted"
    assert bracket.structured_content["stop_loss"]["order_id"]
    assert cancelled.structured_content["count"] >= 1
    assert "BUY 5 AAPL LMT limit 150" in asked[0] and "Account DU1234567" in asked[0]
    assert "commission 1.00 USD" in asked[0] and "initial margin change 187.50" in asked[0]
    assert "take-profit: SELL 5 AAPL LMT limit 151.5" in asked[1]
    assert asked[2].startswith("Cancel ALL")


async def test_a_no_refuses_and_is_audited(mcp, broker) -> None:
    asked: list[str] = []
    async with Client(
        mcp, timeout=TIMEOUT, elicitation_handler=_human(None, asked), mode="legacy"
    ) as client:
        with pytest.raises(ToolError) as refused:
            await client.call_tool("place_order", ORDER)
        audit = await client.call_tool("get_order_audit", {"limit": 2})
    assert str(refused.value).startswith("declined_by_user")
    assert broker.called("place_order") == []
    latest = audit.structured_content["entries"][0]
    assert (latest["operation"], latest["error"]["code"]) == ("place", "declined_by_user")


async def test_a_false_answer_is_a_no(mcp, broker) -> None:
    async with Client(
        mcp, timeout=TIMEOUT, elicitation_handler=_human(False, []), mode="legacy"
    ) as client:
        with pytest.raises(ToolError, match="declined_by_user"):
            await client.call_tool("cancel_all_orders", {"confirm": True})
    assert broker.global_cancels == 0


async def test_a_modern_client_keeps_the_token_flow(mcp, broker) -> None:
    asked: list[str] = []
    async with Client(mcp, timeout=TIMEOUT, elicitation_handler=_human(True, asked)) as client:
        with pytest.raises(ToolError, match="preview_required"):
            await client.call_tool("place_order", ORDER)
    assert asked == []


async def test_without_elicitation_the_preview_token_flow_applies(client, broker) -> None:
    with pytest.raises(ToolError, match="preview_required"):
        await client.call_tool("place_order", ORDER)
    preview = await client.call_tool("preview_order", ORDER)
    token = preview.structured_content["confirmation_token"]
    placed = await client.call_tool("place_order", {**ORDER, "confirmation_token": token})
    assert placed.structured_content["order_id"]


async def test_a_question_nobody_answers_is_a_no(mcp, broker, monkeypatch) -> None:
    import asyncio

    from entrypoints.mcp import elicitation

    monkeypatch.setattr(elicitation, "ANSWER_SECONDS", 0.2)

    async def away(message: str, response_type: Any, params: Any, context: Any) -> Any:
        await asyncio.sleep(5)  # the human never answers in time
        return True

    async with Client(mcp, timeout=TIMEOUT, elicitation_handler=away, mode="legacy") as client:
        with pytest.raises(ToolError, match="did not answer"):
            await client.call_tool("place_order", ORDER)
    assert broker.called("place_order") == []


async def test_a_yes_to_cancel_all_covers_only_the_orders_it_listed(mcp, broker) -> None:
    from domain.orders import OrderRequest

    (aapl,) = [c for c in broker.contracts if c.con_id == AAPL]
    shown = await broker.place_order(aapl, OrderRequest(**ORDER))
    asked: list[str] = []

    async def yes_while_another_order_arrives(message, response_type, params, context):
        asked.append(message)
        if len(asked) == 1:  # another program places an order while the person reads
            await broker.place_order(aapl, OrderRequest(**{**ORDER, "quantity": 7}))
        return True

    async with Client(
        mcp, timeout=TIMEOUT, elicitation_handler=yes_while_another_order_arrives, mode="legacy"
    ) as client:
        with pytest.raises(ToolError) as refused:
            await client.call_tool("cancel_all_orders", {"confirm": True})
        listed_now = await client.call_tool(
            "cancel_all_orders",
            {"confirm": True, "expected_perm_ids": [shown.perm_id]},
        )
    assert "Cancel ALL 1 open orders" in asked[0] and f"{shown.order_id} BUY 5" in asked[0]
    assert str(refused.value).startswith("open_orders_changed")
    assert "nothing was cancelled" in str(refused.value)
    # An explicit expected list is held to the same rule (the elicited list wins over it, and
    # the question now lists both orders, so this time the yes covers what is open).
    assert "Cancel ALL 2 open orders" in asked[1]
    assert listed_now.structured_content["count"] == 2
    assert broker.global_cancels == 1  # the refused call cancelled nothing

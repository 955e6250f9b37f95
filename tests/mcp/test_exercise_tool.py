"""exercise_option through the MCP client, with and without the human in the loop."""

from __future__ import annotations

from typing import Any

import pytest
from fastmcp import Client
from fastmcp.exceptions import ToolError

from domain.contract import Contract
from tests.mcp.conftest import TIMEOUT

CALL = Contract(sec_type="OPT", con_id=123456789, symbol="AAPL", strike=150.0, right="C",
                multiplier="100", currency="USD", exchange="SMART",
                local_symbol="AAPL  260213C00150000", last_trade_date_or_contract_month="20260213")  # fmt: skip
ARGS = {"contract_id": CALL.con_id, "action": "exercise", "quantity": 1, "confirm": True}


@pytest.fixture
def with_option(broker):
    broker.contracts = [*broker.contracts, CALL]
    return broker


async def test_exercise_through_mcp(call, with_option):
    result = await call("exercise_option", **ARGS)
    assert result["status"] == "done" and result["contract_id"] == CALL.con_id
    assert (await call("get_order_audit", limit=1))["entries"][0]["action"] == "exercise"


async def test_without_confirm_is_a_tool_error(client, with_option):
    with pytest.raises(ToolError, match="confirm"):
        await client.call_tool("exercise_option", {**ARGS, "confirm": False})


def _human(answer: bool | None, asked: list[str]):
    async def handler(message: str, response_type: Any, params: Any, context: Any) -> Any:
        asked.append(message)
        return answer

    return handler


async def test_the_person_is_asked_first(mcp, with_option) -> None:
    asked: list[str] = []
    async with Client(
        mcp, timeout=TIMEOUT, elicitation_handler=_human(True, asked), mode="legacy"
    ) as client:
        done = await client.call_tool("exercise_option", ARGS)
    assert done.structured_content["status"] == "done"
    assert asked == [
        "Exercise 1 AAPL  260213C00150000, account DU1234567: BUY 100 AAPL at 150 USD."
    ]


async def test_a_no_sends_nothing(mcp, with_option) -> None:
    async with Client(
        mcp, timeout=TIMEOUT, elicitation_handler=_human(False, []), mode="legacy"
    ) as client:
        with pytest.raises(ToolError, match="declined_by_user"):
            await client.call_tool("exercise_option", ARGS)
    assert not getattr(with_option, "exercises", [])

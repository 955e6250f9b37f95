from __future__ import annotations

import pytest
from fastmcp.exceptions import ToolError

from domain.errors import OrderRejected, ReadOnly
from tests.mcp.conftest import AAPL, CCJ_EU, CCJ_US


async def test_market_order_by_contract_id_fills(call, broker):
    result = await call(
        "place_order", contract_id=AAPL, action="BUY", quantity=10, client_order_id="t-1"
    )
    assert result["status"] == "Filled"
    assert result["filled_quantity"] == 10
    assert result["client_order_id"] == "t-1"
    contract, order = broker.order_requests[result["order_id"]]
    assert contract.con_id == AAPL and order.order_type == "MKT"


async def test_limit_order_by_symbol_works_until_cancelled(call, broker):
    placed = await call(
        "place_order",
        symbol="AAPL",
        action="SELL",
        quantity=5,
        order_type="LMT",
        limit_price=170.5,
        time_in_force="GTC",
    )
    assert placed["status"] == "Submitted"
    _, order = broker.order_requests[placed["order_id"]]
    assert (order.limit_price, order.time_in_force, order.action) == (170.5, "GTC", "SELL")
    listed = await call("get_open_orders")
    assert [o["order_id"] for o in listed["open_orders"]] == [placed["order_id"]]
    cancelled = await call("cancel_order", order_id=placed["order_id"])
    assert cancelled["status"] == "Cancelled"
    assert (await call("get_open_orders"))["count"] == 0


async def test_a_retry_with_the_same_client_order_id_places_nothing_new(call, broker):
    args = {"contract_id": AAPL, "action": "BUY", "quantity": 1, "order_type": "LMT"}
    first = await call("place_order", **args, limit_price=100.0, client_order_id="same")
    again = await call("place_order", **args, limit_price=100.0, client_order_id="same")
    assert again["order_id"] == first["order_id"]
    assert again["duplicate"] is True
    assert len(broker.called("place_order")) == 1


async def test_the_same_client_order_id_for_another_order_is_a_tool_error(client, call, broker):
    args = {"contract_id": AAPL, "action": "BUY", "quantity": 1, "order_type": "LMT"}
    first = await call("place_order", **args, limit_price=100.0, client_order_id="once")
    with pytest.raises(ToolError) as caught:
        await client.call_tool(
            "place_order", {**args, "limit_price": 99.0, "client_order_id": "once"}
        )
    text = str(caught.value)
    assert text.startswith("idempotency_conflict: client_order_id 'once' already placed order")
    assert "(limit_price differs)" in text
    assert f"Order {first['order_id']} (the first one with that key) is unchanged" in text
    assert text.endswith("For a new order use a new client_order_id.")
    assert len(broker.called("place_order")) == 1


async def test_ignored_good_till_date_is_reported_as_a_warning(call):
    result = await call(
        "place_order", contract_id=AAPL, action="BUY", quantity=1, tif="20261231 23:59:59"
    )
    assert "GTD" in result["warnings"][0]


async def test_ambiguous_contract_names_the_field_to_add_and_the_candidates(client, broker):
    with pytest.raises(ToolError) as caught:
        await client.call_tool("place_order", {"symbol": "CCJ", "action": "BUY", "quantity": 1})
    text = str(caught.value)
    assert text.startswith("ambiguous_contract:")
    assert "currency (EUR, USD)" in text
    assert f"con_id={CCJ_US}" in text and f"con_id={CCJ_EU}" in text
    assert "primary_exchange=FWB2" in text
    assert broker.called("place_order") == []


async def test_limit_order_without_limit_price_names_the_field(client, broker):
    with pytest.raises(ToolError, match=r"invalid_request: LMT orders need limit_price"):
        await client.call_tool(
            "place_order",
            {"contract_id": AAPL, "action": "BUY", "quantity": 1, "order_type": "LMT"},
        )
    assert broker.called("place_order") == []


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        ({"quantity": 0}, "quantity"),
        ({"order_type": "BRACKET"}, "STP LMT"),
        ({"time_in_force": "GTX"}, "GTD"),
        ({"client_order_id": "has space"}, "client_order_id"),
    ],
)
async def test_schema_violations_are_tool_errors_naming_the_argument(
    client, broker, args, mentions
):
    arguments = {"contract_id": AAPL, "action": "BUY", "quantity": 1, **args}
    with pytest.raises(ToolError) as caught:
        await client.call_tool("place_order", arguments)
    assert mentions in str(caught.value)
    assert broker.called("place_order") == []


async def test_rejection_carries_ibs_code_and_text(client, broker):
    broker.fail("place_order", OrderRejected("Order rejected: insufficient margin", ib_code=201))
    with pytest.raises(ToolError) as caught:
        await client.call_tool("place_order", {"contract_id": AAPL, "action": "BUY", "quantity": 1})
    text = str(caught.value)
    assert text.startswith("order_rejected: Order rejected: insufficient margin.")
    assert "IB error code 201" in text


async def test_read_only_gateway_is_explained(client, broker):
    broker.fail("place_order", ReadOnly("The IB API is read-only"))
    with pytest.raises(ToolError, match=r"read_only: .*cannot be placed"):
        await client.call_tool("place_order", {"contract_id": AAPL, "action": "BUY", "quantity": 1})


async def test_an_order_id_ib_cannot_have_is_refused_naming_it(client, broker):
    # 2**31 - 1 is ib_async's "unset" id: a cancel of it would wait for an answer in vain.
    schema = {t.name: t for t in await client.list_tools()}["cancel_order"].input_schema
    assert schema["properties"]["order_id"]["maximum"] == 2**31 - 2
    for order_id in (2**31 - 1, 0):
        with pytest.raises(ToolError, match=r"invalid_request: order_id"):
            await client.call_tool("cancel_order", {"order_id": order_id})
    assert broker.called("cancel_order") == []


async def test_cancelling_an_unknown_order_points_to_open_orders(client):
    with pytest.raises(ToolError, match=r"order_not_found: .*get_open_orders"):
        await client.call_tool("cancel_order", {"order_id": 999})


@pytest.mark.parametrize(
    ("rule", "wait_for"),
    [("max_orders_per_minute", "placing"), ("max_previews_per_minute", "previewing")],
)
def test_a_rate_refusal_tells_the_agent_how_long_to_wait(rule: str, wait_for: str) -> None:
    from domain.errors import GuardrailViolation
    from entrypoints.mcp.errors import explain

    text = explain(GuardrailViolation("At most 2 per minute", rule=rule, limit=2, retry_after=17))
    assert text.startswith("guardrail_violation: At most 2 per minute.")
    assert text.endswith(f"Nothing was sent to IB. Wait 17 s before {wait_for} another order.")


@pytest.mark.parametrize("tool", ["place_order", "preview_order"])
@pytest.mark.parametrize(
    ("args", "words"),
    [
        # pydantic's lax mode used to turn "1" into 1.0 and place it
        ({"quantity": "1"}, ("invalid_request:", "quantity: Expected `float`, got `str`")),
        (
            {"quantity": 1e-30},
            ("invalid_request: quantity 1e-30", "minimum size 1", "multiple of 1"),
        ),
        ({"quantity": 1.5}, ("invalid_request: quantity 1.5", "size increment 1", "whole units")),
        (
            {"quantity": 1, "order_type": "LMT", "limit_price": "150.25"},
            ("limit_price: Expected `float | null`, got `str`",),
        ),
    ],
    ids=["quantity-text", "quantity-1e-30", "quantity-1.5", "limit-text"],
)
async def test_quantities_are_strictly_typed_and_meaningful(client, broker, tool, args, words):
    with pytest.raises(ToolError) as caught:
        await client.call_tool(tool, {"contract_id": AAPL, "action": "BUY", **args})
    text = str(caught.value)
    for word in words:
        assert word in text, text
    assert broker.called("place_order") == [] and broker.called("what_if") == []


async def test_an_integer_quantity_is_a_number(call, broker):
    result = await call("place_order", contract_id=AAPL, action="BUY", quantity=3)
    _, order = broker.order_requests[result["order_id"]]
    assert order.quantity == 3.0


async def test_order_status_follows_an_order(call, client):
    args = {"contract_id": AAPL, "action": "BUY", "quantity": 5, "order_type": "LMT"}
    placed = await call("place_order", **args, limit_price=100.0, client_order_id="st-1")
    status = await call("get_order_status", order_id=placed["order_id"])
    assert (status["status"], status["remaining_quantity"]) == ("Submitted", 5.0)
    await call("cancel_order", order_id=placed["order_id"])
    assert (await call("get_order_status", order_id=placed["order_id"]))["status"] == "Cancelled"
    with pytest.raises(ToolError, match=r"order_not_found: .*get_open_orders"):
        await client.call_tool("get_order_status", {"order_id": 4242})


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        ({"quantity": "1"}, "quantity: Expected `float`, got `str`"),
        ({"contract_id": "265598"}, "contract_id"),
        ({"outside_rth": "yes"}, "outside_rth"),
        ({"stop_loss": 1.0}, "unknown key 'stop_loss'"),
    ],
)
async def test_arguments_are_decoded_strictly(client, broker, args, mentions):
    arguments = {"contract_id": AAPL, "action": "BUY", "quantity": 1, **args}
    with pytest.raises(ToolError) as caught:
        await client.call_tool("place_order", arguments)
    assert str(caught.value).startswith("invalid_request:")
    assert mentions in str(caught.value)
    assert broker.called("place_order") == []


async def test_trailing_stop_market_on_close_and_an_algo_through_the_tools(call, broker):
    trail = await call("place_order", contract_id=AAPL, action="SELL", quantity=5,
                       order_type="TRAIL", trailing_percent=1.5)  # fmt: skip
    _, order = broker.order_requests[trail["order_id"]]
    assert (order.order_type, order.trailing_percent) == ("TRAIL", 1.5)
    moc = await call("place_order", contract_id=AAPL, action="BUY", quantity=5, order_type="MOC")
    assert broker.order_requests[moc["order_id"]][1].order_type == "MOC"
    vwap = await call("place_order", contract_id=AAPL, action="BUY", quantity=5,
                      algo={"strategy": "Vwap", "params": {"maxPctVol": 0.1}})  # fmt: skip
    _, order = broker.order_requests[vwap["order_id"]]
    assert order.algo is not None and order.algo.params == {"maxPctVol": "0.1"}


async def test_a_missing_order_type_term_is_a_tool_error_naming_it(client, broker):
    with pytest.raises(
        ToolError,
        match=r"invalid_request: TRAIL LIMIT orders need "
        r"trailing_amount or trailing_percent, and limit_offset or limit_price",
    ):
        await client.call_tool("place_order", {"contract_id": AAPL, "action": "SELL",
                                               "quantity": 1, "order_type": "TRAIL LIMIT",
                                               "trailing_amount": 1})  # fmt: skip
    assert broker.called("place_order") == []

"""Modifying a working order through the order desk: the rules apply to the changed order."""

from __future__ import annotations

import msgspec
import pytest

from application.container import Services, build_services
from domain.errors import (
    GuardrailViolation,
    InvalidRequest,
    OrderNotFound,
    OrderRejected,
    PreviewRequired,
    ReadOnly,
)
from domain.order_change import OrderChange
from domain.orders import OrderRequest
from domain.safety import Caller, TradingPolicy
from tests import contract_examples as ex
from tests.fakes import FakeBroker, FakeClock, FakeGateway

REST = Caller(name="ops", transport="rest")
AGENT = Caller(name="agent", transport="mcp")
AAPL = 12345678


def limit_buy(**fields: object) -> OrderRequest:
    base = {"contract_id": AAPL, "action": "BUY", "quantity": 10, "order_type": "LMT",
            "limit_price": 100.0}  # fmt: skip
    return msgspec.convert({**base, **fields}, OrderRequest)


def desk_with(broker: FakeBroker, gateway: FakeGateway, clock: FakeClock, **policy: object):
    ex.seed(broker, gateway)
    return build_services(broker, gateway, clock, policy=TradingPolicy(**policy)).desk  # type: ignore[arg-type]


async def test_a_new_limit_reaches_ib_as_the_whole_order_and_is_audited(
    services: Services, broker: FakeBroker
) -> None:
    placed = await services.desk.place(limit_buy(time_in_force="GTC"), REST)
    result = await services.desk.modify(placed.order_id, OrderChange(limit_price=101.5), REST)
    assert result.order_id == placed.order_id and result.status == "Submitted"
    ((order_id, contract, order),) = broker.called("modify_order")
    assert (order_id, contract.con_id) == (placed.order_id, AAPL)
    assert (order.limit_price, order.quantity, order.time_in_force) == (101.5, 10, "GTC")
    (entry, *_) = await services.desk.recent_audit(1)
    assert (entry.action, entry.order_id) == ("modify", placed.order_id)
    assert entry.request == {"order_id": placed.order_id, "change": {"limit_price": 101.5}}


def test_nothing_to_change_names_the_fields() -> None:
    with pytest.raises(InvalidRequest) as caught:
        OrderChange()
    assert caught.value.accepted == [
        "quantity", "limit_price", "stop_price", "time_in_force", "good_till_date",
    ]  # fmt: skip
    assert "quantity, limit_price, stop_price, time_in_force, good_till_date" in str(caught.value)


async def test_unknown_and_finished_orders(services: Services, broker: FakeBroker) -> None:
    with pytest.raises(OrderNotFound):
        await services.desk.modify(999, OrderChange(quantity=1), REST)
    filled = await services.desk.place(limit_buy(order_type="MKT", limit_price=None), REST)
    with pytest.raises(OrderRejected) as caught:
        await services.desk.modify(filled.order_id, OrderChange(quantity=1), REST)
    assert "Filled" in caught.value.message
    assert broker.called("modify_order") == []


async def test_a_price_the_order_type_has_not_is_refused(services: Services) -> None:
    placed = await services.desk.place(limit_buy(), REST)
    with pytest.raises(InvalidRequest) as caught:
        await services.desk.modify(placed.order_id, OrderChange(stop_price=99.0), REST)
    assert caught.value.field == "stop_price"
    with pytest.raises(InvalidRequest) as gtd:
        await services.desk.modify(placed.order_id, OrderChange(time_in_force="GTD"), REST)
    assert gtd.value.field == "good_till_date"


async def test_read_only_refuses_and_records_the_refusal(
    broker: FakeBroker, gateway: FakeGateway, clock: FakeClock
) -> None:
    desk = desk_with(broker, gateway, clock, read_only=True)
    with pytest.raises(ReadOnly):
        await desk.modify(1, OrderChange(quantity=5), REST)
    (entry,) = await desk.recent_audit(1)
    assert (entry.action, entry.operation) == ("refusal", "modify")
    assert broker.called("session_order") == []


async def test_raising_the_value_above_the_cap_is_refused_like_a_new_order(
    broker: FakeBroker, gateway: FakeGateway, clock: FakeClock
) -> None:
    desk = desk_with(broker, gateway, clock, max_order_notional=5_000.0)
    placed = await desk.place(limit_buy(quantity=40), REST)  # 4,000
    with pytest.raises(GuardrailViolation) as caught:
        await desk.modify(placed.order_id, OrderChange(quantity=60), REST)  # 6,000
    assert caught.value.details["rule"] == "max_order_notional"
    with pytest.raises(GuardrailViolation):
        await desk.modify(placed.order_id, OrderChange(limit_price=130.0), REST)  # 5,200
    assert broker.called("modify_order") == []
    await desk.modify(placed.order_id, OrderChange(limit_price=120.0), REST)  # 4,800


async def test_a_required_preview_is_of_the_changed_order(
    broker: FakeBroker, gateway: FakeGateway, clock: FakeClock
) -> None:
    desk = desk_with(broker, gateway, clock)
    first = await desk.preview(limit_buy(), AGENT)
    placed = await desk.place(limit_buy(), AGENT, confirmation_token=first.confirmation_token)
    with pytest.raises(PreviewRequired) as caught:
        await desk.modify(placed.order_id, OrderChange(limit_price=99.0), AGENT)
    assert "limit_price=99.0" in caught.value.message and "quantity=10.0" in caught.value.message
    stale = await desk.preview(limit_buy(limit_price=98.0), AGENT)
    with pytest.raises(OrderRejected):  # a token for other terms
        await desk.modify(
            placed.order_id, OrderChange(limit_price=99.0), AGENT,
            confirmation_token=stale.confirmation_token,
        )  # fmt: skip
    fresh = await desk.preview(limit_buy(limit_price=99.0), AGENT)
    result = await desk.modify(
        placed.order_id, OrderChange(limit_price=99.0), AGENT,
        confirmation_token=fresh.confirmation_token,
    )  # fmt: skip
    assert result.order_id == placed.order_id

"""The desk refuses an order price between two ticks of the contract's market rule before
anything reaches IB: placing, previewing, modifying and every leg of a bracket."""

from __future__ import annotations

import msgspec
import pytest

from application.container import Services
from domain.brackets import BracketRequest, PriceTarget
from domain.errors import InvalidRequest, NotConnected
from domain.order_change import OrderChange
from domain.orders import OrderRequest
from domain.safety import Caller
from tests.fake_research import US_STOCK_RULE
from tests.fakes import FakeBroker

REST = Caller(name="ops", transport="rest")
AAPL = 12345678


def order(**fields: object) -> OrderRequest:
    base = {"contract_id": AAPL, "action": "BUY", "quantity": 10, "order_type": "LMT",
            "limit_price": 100.0}  # fmt: skip
    return msgspec.convert({**base, **fields}, OrderRequest)


@pytest.fixture
def ruled(services: Services, broker: FakeBroker) -> Services:
    broker.rules[AAPL] = [US_STOCK_RULE]
    return services


def _nothing_sent(broker: FakeBroker) -> None:
    assert broker.called("place_order") == [] and broker.called("what_if") == []


async def test_an_off_tick_limit_is_refused_with_its_neighbours(
    ruled: Services, broker: FakeBroker
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        await ruled.desk.place(order(limit_price=100.123), REST)
    assert caught.value.field == "limit_price" and caught.value.accepted == ["100.12", "100.13"]
    assert "not a multiple of 0.01 at this price" in caught.value.message
    _nothing_sent(broker)


async def test_previews_and_stops_are_held_to_the_same_rule(
    ruled: Services, broker: FakeBroker
) -> None:
    with pytest.raises(InvalidRequest, match=r"limit_price 99\.999"):
        await ruled.desk.preview(order(limit_price=99.999), REST)
    with pytest.raises(InvalidRequest) as caught:
        await ruled.desk.place(
            order(order_type="STP", limit_price=None, stop_price=95.005, action="SELL"), REST
        )
    assert caught.value.field == "stop_price"
    _nothing_sent(broker)


async def test_prices_on_a_tick_go_through(ruled: Services, broker: FakeBroker) -> None:
    placed = await ruled.desk.place(order(limit_price=100.12), REST)
    assert placed.status == "Submitted" and len(broker.called("place_order")) == 1


async def test_a_modification_to_an_off_tick_price_is_refused(
    ruled: Services, broker: FakeBroker
) -> None:
    placed = await ruled.desk.place(order(time_in_force="GTC"), REST)
    with pytest.raises(InvalidRequest, match=r"100\.12 or 100\.13"):
        await ruled.desk.modify(placed.order_id, OrderChange(limit_price=100.125), REST)
    assert broker.called("modify_order") == []


async def test_every_leg_of_a_bracket_is_checked(ruled: Services, broker: FakeBroker) -> None:
    assert ruled.groups is not None
    bracket = BracketRequest(
        entry=order(limit_price=100.0),
        stop_loss=PriceTarget(price=95.001),
        take_profit=PriceTarget(price=110.0),
    )
    with pytest.raises(InvalidRequest, match=r"stop_price 95\.001"):
        await ruled.groups.place_bracket(bracket, REST)
    _nothing_sent(broker)


async def test_without_a_rule_from_ib_the_order_goes_on(
    services: Services, broker: FakeBroker
) -> None:
    broker.fail("market_rules", NotConnected("down"))
    placed = await services.desk.place(order(limit_price=100.123), REST)
    assert placed.order_id > 0

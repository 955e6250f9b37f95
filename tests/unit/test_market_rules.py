"""The tick check: an order price must be a multiple of its market rule's increment at that
price; the refusal names the two valid neighbours."""

from __future__ import annotations

import pytest

from domain.contract import Contract
from domain.errors import InvalidRequest
from domain.market_rules import (
    MarketRule,
    PriceIncrement,
    check_price,
    increment_at,
    neighbours,
    rule_for,
)

STOCK = Contract(sec_type="STK", con_id=265598, symbol="AAPL", exchange="SMART")
US_STOCK = MarketRule(rule_id=26, exchanges=["SMART", "NYSE"], increments=[
    PriceIncrement(low_edge=0.0, increment=0.0001), PriceIncrement(low_edge=1.0, increment=0.01),
])  # fmt: skip
OPTION = MarketRule(rule_id=32, exchanges=["SMART"], increments=[
    PriceIncrement(low_edge=0.0, increment=0.01), PriceIncrement(low_edge=3.0, increment=0.05),
])  # fmt: skip
ES = MarketRule(rule_id=67, exchanges=["CME"], increments=[
    PriceIncrement(low_edge=0.0, increment=0.25)])  # fmt: skip
FX = MarketRule(rule_id=239, exchanges=["IDEALPRO"], increments=[
    PriceIncrement(low_edge=0.0, increment=0.00005)])  # fmt: skip


@pytest.mark.parametrize(
    ("rule", "price", "tick"),
    [(US_STOCK, 0.5, 0.0001), (US_STOCK, 1.0, 0.01), (US_STOCK, 230.0, 0.01),
     (OPTION, 2.99, 0.01), (OPTION, 3.0, 0.05), (ES, 6000.0, 0.25)],
)  # fmt: skip
def test_the_increment_is_that_of_the_highest_level_at_or_below_the_price(
    rule: MarketRule, price: float, tick: float
) -> None:
    assert increment_at(rule.increments, price) == tick


@pytest.mark.parametrize(
    ("rule", "price"),
    [(US_STOCK, 100.12), (US_STOCK, 0.1234), (OPTION, 2.37), (OPTION, 3.15), (ES, 6000.75),
     (FX, 1.08005), (US_STOCK, 0.3)],
)  # fmt: skip
def test_prices_on_a_tick_pass(rule: MarketRule, price: float) -> None:
    check_price("limit_price", price, rule, STOCK)


def test_an_off_tick_price_is_refused_naming_its_neighbours() -> None:
    with pytest.raises(InvalidRequest) as caught:
        check_price("limit_price", 100.123, US_STOCK, STOCK)
    error = caught.value
    assert error.field == "limit_price" and error.accepted == ["100.12", "100.13"]
    assert "limit_price 100.123 is not a multiple of 0.01 at this price" in error.message
    assert error.message.endswith("100.12 or 100.13")


@pytest.mark.parametrize(
    ("rule", "price", "around"),
    [(OPTION, 3.12, ("3.1", "3.15")), (ES, 6000.1, ("6000", "6000.25")),
     (FX, 1.08001, ("1.08", "1.08005")), (US_STOCK, 0.12345, ("0.1234", "0.1235"))],
)  # fmt: skip
def test_neighbours_are_the_ticks_around_the_price(
    rule: MarketRule, price: float, around: tuple[str, str]
) -> None:
    tick = increment_at(rule.increments, price)
    assert tick is not None and neighbours(price, tick) == around


def test_the_rule_is_the_routing_exchanges_else_the_first() -> None:
    other = MarketRule(rule_id=99, exchanges=["ARCA"], increments=ES.increments)
    assert rule_for([US_STOCK, other], "ARCA") is other
    assert rule_for([US_STOCK, other], "", "SMART") is US_STOCK
    assert rule_for([other, US_STOCK], "IBKRATS") is other
    assert rule_for([], "SMART") is None

"""Symbol search, market rules and session hours through the real IbBroker against the
simulated gateway; and IB's own refusal (error 110) of a price between two ticks."""

from __future__ import annotations

import asyncio

import pytest

from adapters.ib.broker import IbBroker
from domain.contract import ContractQuery
from domain.errors import InvalidRequest
from domain.orders import OrderRequest
from tests.ib.conftest import stock


async def test_symbol_search_answers_ibs_contract_descriptions(broker: IbBroker) -> None:
    async with asyncio.timeout(10):
        found = await broker.search_symbols("appl")
        assert found[0].symbol == "AAPL" and found[0].con_id == 265598
        assert found[0].derivative_sec_types == ["OPT"]
        assert found[0].primary_exchange == "NASDAQ" and found[0].description == "APPLE INC"
        assert await broker.search_symbols("zzzzq") == []


async def test_market_rules_follow_contract_details(broker: IbBroker) -> None:
    async with asyncio.timeout(10):
        aapl = await stock(broker)
        rules = await broker.market_rules(aapl)
        assert len(rules) == 1 and "SMART" in rules[0].exchanges
        assert [(i.low_edge, i.increment) for i in rules[0].increments] == [
            (0.0, 0.0001), (1.0, 0.01),
        ]  # fmt: skip
        futures = await broker.contract_details(ContractQuery(symbol="ES", sec_type="FUT"))
        [es_rule] = await broker.market_rules(futures[0])
        assert [(i.low_edge, i.increment) for i in es_rule.increments] == [(0.0, 0.25)]


async def test_trading_schedule_carries_ibs_hours(broker: IbBroker) -> None:
    async with asyncio.timeout(10):
        schedule = await broker.trading_schedule(await stock(broker))
        assert schedule.time_zone == "US/Eastern"
        assert "0930" in schedule.liquid_hours and "0400" in schedule.trading_hours


@pytest.mark.parametrize(
    ("order_type", "prices"),
    [("LMT", {"limit_price": 100.123456}), ("STP", {"stop_price": 50.005})],
)
async def test_ib_refuses_a_price_between_ticks_with_110(
    broker: IbBroker, order_type: str, prices: dict[str, float]
) -> None:
    """The last line of defence, should an order get past our own check."""
    async with asyncio.timeout(10):
        aapl = await stock(broker)
        order = OrderRequest(
            action="BUY", quantity=1, order_type=order_type, contract_id=aapl.con_id, **prices
        )
        with pytest.raises(InvalidRequest, match=r"110.*minimum price variation"):
            await broker.place_order(aapl, order)
        assert await broker.open_orders() == []

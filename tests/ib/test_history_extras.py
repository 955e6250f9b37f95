"""Head timestamp, historical ticks and histogram through IbBroker against the simulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.ib.broker import IbBroker
from adapters.simulated_gateway import TwsSimulator
from domain.contract import Contract, ContractQuery
from domain.errors import MarketDataUnavailable
from domain.history_extras import TicksQuery
from tests.ib.conftest import SESSION_OPEN

AAPL, EURUSD = 265598, 12087792


async def _contract(broker: IbBroker, con_id: int) -> Contract:
    (found,) = await broker.contract_details(ContractQuery(con_id=con_id))
    return found


async def test_head_timestamp_and_its_cache(broker: IbBroker, simulator: TwsSimulator) -> None:
    aapl = await _contract(broker, AAPL)
    first = await broker.head_timestamp(aapl, "TRADES", True)
    assert first.tzinfo is not None and first < SESSION_OPEN - timedelta(days=365)
    assert await broker.head_timestamp(aapl, "TRADES", True) == first
    assert simulator.requests["87"] == 1  # the second answer came from the cache


async def test_no_head_timestamp_is_a_domain_error(broker: IbBroker) -> None:
    fx = await _contract(broker, EURUSD)
    with pytest.raises(MarketDataUnavailable, match="162"):
        await broker.head_timestamp(fx, "TRADES", True)


async def test_ticks_backward_from_now_and_forward_from_a_start(broker: IbBroker) -> None:
    aapl = await _contract(broker, AAPL)
    latest = await broker.historical_ticks(
        aapl, TicksQuery(contract_id=AAPL, count=20), SESSION_OPEN
    )
    assert len(latest) == 20 and latest[-1].time < SESSION_OPEN.isoformat()
    assert all(t.price and t.size and t.exchange for t in latest)
    start = datetime(2025, 3, 4, 14, 30, tzinfo=UTC)
    quotes = await broker.historical_ticks(
        aapl, TicksQuery(contract_id=AAPL, what_to_show="BID_ASK", start=start, count=5), None
    )
    assert len(quotes) == 5 and quotes[0].time >= start.isoformat()
    assert all(t.bid and t.ask and t.bid < t.ask for t in quotes)  # type: ignore[operator]


async def test_histogram_buckets(broker: IbBroker) -> None:
    aapl = await _contract(broker, AAPL)
    buckets = await broker.histogram(aapl, "3 days", True)
    assert buckets and all(b.volume > 0 for b in buckets)

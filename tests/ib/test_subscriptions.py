"""The adapter on a simulator whose account lacks subscriptions: each of IB's answers becomes
a domain error naming the data and the remedy; delayed data (10167) is an answer, not an error."""

from __future__ import annotations

import pytest

from adapters.ib.broker import IbBroker
from adapters.simulated_gateway.tws.server import TwsSimulator
from domain.errors import CompetingSession, MarketDataNotSubscribed
from domain.market_data import HistoricalQuery
from domain.scanner import ScanQuery
from tests.ib.conftest import stock
from tests.ib.sinks import RecordingSink

DAY = HistoricalQuery(contract_id=265598, duration="1 D", bar_size="1 hour")


async def test_a_snapshot_without_live_data_falls_back_to_delayed_data(
    broker: IbBroker, simulator: TwsSimulator
) -> None:
    aapl = await stock(broker)
    simulator.faults.require_subscription("quotes", symbols="AAPL")
    quote = await broker.snapshot(aapl)  # 354, then 10167 with delayed data
    assert quote.market_data_type == "delayed" and quote.bid is not None


@pytest.mark.parametrize("code", [354, 10089, 10090, 10168])
async def test_a_refused_snapshot_names_the_quote_and_the_remedy(
    broker: IbBroker, simulator: TwsSimulator, code: int
) -> None:
    aapl = await stock(broker)
    simulator.faults.require_subscription("quotes", code=code)
    with pytest.raises(MarketDataNotSubscribed) as refused:
        await broker.snapshot(aapl)
    error = refused.value
    assert error.ib_code == code and error.data == "a quote of AAPL"
    assert "Client Portal" in error.remedy and error.remedy in error.message
    assert "delayed" in error.remedy


async def test_history_depth_ticks_and_scans_without_permissions(
    broker: IbBroker, simulator: TwsSimulator
) -> None:
    aapl = await stock(broker)
    simulator.faults.require_subscription(["history", "depth", "ticks", "scanner"])
    with pytest.raises(MarketDataNotSubscribed) as history:
        await broker.historical_bars(aapl, DAY)
    assert history.value.ib_code == 162 and "NASDAQ STK" in history.value.message
    assert history.value.data == "historical bars of AAPL"
    assert "no delayed form" in history.value.remedy
    with pytest.raises(MarketDataNotSubscribed) as depth:
        await broker.feed.open_depth(aapl, 5, RecordingSink())
    assert depth.value.data == "market depth for AAPL" and depth.value.ib_code == 354
    with pytest.raises(MarketDataNotSubscribed) as ticks:
        await broker.feed.open_ticks(aapl, "Last", RecordingSink())
    assert ticks.value.data == "tick-by-tick Last data for AAPL"
    with pytest.raises(MarketDataNotSubscribed) as scan:
        await broker.scan(ScanQuery())
    assert scan.value.data == "the MOST_ACTIVE scan" and scan.value.ib_code == 162
    simulator.faults.clear_subscriptions()
    assert await broker.historical_bars(aapl, DAY)


async def test_a_competing_live_session_is_its_own_error(
    broker: IbBroker, simulator: TwsSimulator
) -> None:
    aapl = await stock(broker)
    simulator.faults.require_subscription(["quotes", "history"], code=10197)
    with pytest.raises(CompetingSession, match="logged in to a live session elsewhere"):
        await broker.snapshot(aapl)
    with pytest.raises(CompetingSession) as history:
        await broker.historical_bars(aapl, DAY)
    assert history.value.retry_after == 60

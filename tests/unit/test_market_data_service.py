"""Snapshots, batches of snapshots, and historical bars."""

from __future__ import annotations

import msgspec
import pytest

from application.container import Services, build_services
from domain.contract import ContractQuery
from domain.errors import InvalidRequest, MarketDataUnavailable, NotConnected
from domain.market_data import Bar, HistoricalQuery
from tests.factories import BarFactory
from tests.fakes import FakeBroker, FakeClock, FakeGateway


async def test_snapshot_carries_the_contract_id(services: Services) -> None:
    quote = await services.market_data.snapshot(ContractQuery(symbol="AAPL", sec_type="STK"))
    assert (quote.symbol, quote.last_price, quote.contract_id) == ("AAPL", 155.75, 12345678)


async def test_tickers_report_bad_ids_without_failing_the_batch(
    services: Services, broker: FakeBroker
) -> None:
    broker.fail("snapshot", MarketDataUnavailable("No market data permissions for NYSE"))
    result = await services.market_data.tickers([1447060, 12345678, 99, 12345678])
    assert [q.contract_id for q in result.tickers] == [12345678]
    assert result.errors == {
        "1447060": "No market data permissions for NYSE",
        "99": "No contract matches contract_id 99",
    }


async def test_tickers_limits(services: Services, broker: FakeBroker) -> None:
    with pytest.raises(InvalidRequest, match="At most 50") as caught:
        await services.market_data.tickers(list(range(1, 52)))
    assert caught.value.field == "contract_ids"
    with pytest.raises(InvalidRequest, match="at least one"):
        await services.market_data.tickers([])
    with pytest.raises(InvalidRequest, match="positive"):
        await services.market_data.tickers([12345678, -4])
    # Duplicates count once: 60 mentions of 50 ids is fine.
    await services.market_data.tickers([*range(1, 51), *range(1, 11)])
    assert broker.called("snapshot") == []  # none of 1..50 exists in the example world


async def test_tickers_not_connected_fails_the_whole_call(
    services: Services, broker: FakeBroker
) -> None:
    broker.connected = False
    with pytest.raises(NotConnected):
        await services.market_data.tickers([12345678, 1447060])


async def test_historical_names_symbol_and_contract(services: Services, broker: FakeBroker) -> None:
    query = msgspec.convert(
        {"contract_id": 12345678, "duration": "2 w", "bar_size": "5 MINS"}, HistoricalQuery
    )
    data = await services.market_data.historical(query)
    assert (data.symbol, data.contract_id, len(data.bars)) == ("AAPL", 12345678, 2)
    [(contract, sent)] = broker.called("historical_bars")
    assert (contract.con_id, sent.duration, sent.bar_size) == (12345678, "2 W", "5 mins")


async def test_historical_truncates_to_the_latest_bars(
    broker: FakeBroker, gateway: FakeGateway, services: Services
) -> None:
    bars: list[Bar] = BarFactory.batch(7)
    broker.bars[12345678] = bars
    capped = build_services(broker, gateway, FakeClock(), max_bars=3)
    data = await capped.market_data.historical(HistoricalQuery(contract_id=12345678))
    assert data.bars == bars[-3:]
    assert data.truncated is True
    assert "7 bars matched; the latest 3" in data.message


async def test_historical_under_the_cap_is_not_marked(services: Services) -> None:
    data = await services.market_data.historical(HistoricalQuery(contract_id=12345678))
    assert not isinstance(data.truncated, bool) and not isinstance(data.message, str)

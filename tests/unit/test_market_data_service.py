"""Snapshots, batches of snapshots, and historical bars."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import pytest

from application.container import Services, build_services
from domain.connection import DataFarm, IbNotice
from domain.contract import ContractQuery
from domain.errors import BrokerTimeout, InvalidRequest, MarketDataUnavailable, NotConnected
from domain.market_data import Bar, HistoricalQuery, Quote
from tests.factories import BarFactory
from tests.fakes import FakeBroker, FakeClock, FakeGateway


async def test_snapshot_carries_the_contract_id(services: Services) -> None:
    quote = await services.market_data.snapshot(ContractQuery(symbol="AAPL", sec_type="STK"))
    assert (quote.symbol, quote.last_price, quote.contract_id) == ("AAPL", 155.75, 12345678)


AAPL = ContractQuery(con_id=12345678)
SINCE = datetime(2026, 11, 26, 14, 2, 7, tzinfo=UTC)
LOST = IbNotice(code=1100, message="Connectivity between IB and TWS has been lost.", since=SINCE)
USFARM_BROKEN = DataFarm(
    name="usfarm",
    kind="market_data",
    ok=False,
    code=2103,
    message="Market data farm connection is broken:usfarm",
    since=SINCE,
)


async def test_while_ib_reports_1100_no_snapshot_is_even_asked_for(
    services: Services, broker: FakeBroker
) -> None:
    broker.connectivity_lost = LOST
    with pytest.raises(MarketDataUnavailable) as caught:
        await services.market_data.snapshot(AAPL)
    assert caught.value.details == {"ib_code": 1100, "retry_after": 5}
    assert "IB 1100 since 2026-11-26T14:02:07+00:00" in caught.value.message
    with pytest.raises(MarketDataUnavailable, match="IB 1100"):
        await services.market_data.tickers([12345678, 1447060])
    assert broker.called("snapshot") == []
    broker.connectivity_lost = None  # 1101/1102
    assert (await services.market_data.snapshot(AAPL)).last_price == 155.75


async def test_a_quote_without_any_price_is_never_answered(
    services: Services, broker: FakeBroker
) -> None:
    broker.quotes[12345678] = Quote(symbol="AAPL", volume=0.0, timestamp=SINCE)
    with pytest.raises(MarketDataUnavailable, match="IB sent no price for AAPL") as caught:
        await services.market_data.snapshot(AAPL)
    assert "ib_code" not in caught.value.details
    broker.quotes[12345678] = Quote(symbol="AAPL", close=151.0, timestamp=SINCE)
    assert (await services.market_data.snapshot(AAPL)).close == 151.0  # a close alone is data


async def test_a_broken_farm_is_named_when_the_quote_comes_back_empty_or_late(
    services: Services, broker: FakeBroker
) -> None:
    broker.data_farms = (USFARM_BROKEN,)
    priced = await services.market_data.snapshot(AAPL)  # another farm served it: answered
    assert priced.last_price == 155.75
    broker.quotes[12345678] = Quote(symbol="AAPL", timestamp=SINCE)
    with pytest.raises(MarketDataUnavailable) as empty:
        await services.market_data.snapshot(AAPL)
    assert empty.value.details == {"ib_code": 2103, "retry_after": 5}
    assert "market data farm usfarm broken (IB 2103 since" in empty.value.message
    broker.fail("snapshot", BrokerTimeout("The IB Gateway did not answer within 10 s"), times=2)
    with pytest.raises(MarketDataUnavailable, match="usfarm broken"):
        await services.market_data.snapshot(AAPL)
    broker.data_farms = ()
    with pytest.raises(BrokerTimeout):  # no notice from IB: a timeout stays a timeout
        await services.market_data.snapshot(AAPL)


async def test_tickers_fail_whole_only_when_ib_reports_why_nothing_was_quoted(
    services: Services, broker: FakeBroker
) -> None:
    broker.quotes[12345678] = Quote(symbol="AAPL", timestamp=SINCE)
    result = await services.market_data.tickers([12345678])
    assert result.tickers == [] and "no price" in result.errors["12345678"]
    broker.data_farms = (USFARM_BROKEN,)
    with pytest.raises(MarketDataUnavailable, match="usfarm"):
        await services.market_data.tickers([12345678])


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

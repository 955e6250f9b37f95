"""Snapshot outcomes: the delayed-data fallback (354/10167), partial data, silence."""

from __future__ import annotations

from types import SimpleNamespace

import ib_async
import pytest
from ib_async import RequestError, Ticker

from adapters.ib.market_data import IbMarketData, SnapshotOutcome
from adapters.ib.settings import IbSettings
from domain.contract import Contract
from domain.errors import BrokerTimeout, MarketDataUnavailable
from tests.fakes import FakeClock
from tests.ib.fake_ib import FakeIB

AAPL = Contract(sec_type="STK", con_id=265598, symbol="AAPL", exchange="SMART", currency="USD")


def _ticker(**prices: float) -> Ticker:
    ticker = Ticker(contract=ib_async.Stock("AAPL", "SMART", "USD"))
    for name, value in prices.items():
        setattr(ticker, name, value)
    return ticker


class ScriptedMarketData(IbMarketData):
    """IbMarketData whose IB requests return scripted outcomes."""

    def __init__(self, *outcomes: SnapshotOutcome, fallback: int | None = 3) -> None:
        self.ib = FakeIB()
        self.ib.client.ready = True
        supervisor = SimpleNamespace(
            on_connect=lambda h: None, on_data_lost=lambda h: None, ib=self.ib
        )
        calls = SimpleNamespace(
            settings=IbSettings(market_data_fallback=fallback, request_timeout=2.0),
            supervisor=supervisor,
        )
        super().__init__(calls, FakeClock())  # type: ignore[arg-type]
        self.outcomes = list(outcomes)
        self.requests = 0

    async def _request(self, contract: Contract) -> SnapshotOutcome:
        self.requests += 1
        return self.outcomes.pop(0)


async def test_354_switches_to_delayed_data_and_asks_again() -> None:
    not_subscribed = RequestError(5, 354, "Requested market data is not subscribed.")
    md = ScriptedMarketData(
        SnapshotOutcome(_ticker(), [], not_subscribed, complete=False, reported_type=None),
        SnapshotOutcome(_ticker(bid=1.0, ask=1.1), [], None, complete=True, reported_type=3),
        SnapshotOutcome(_ticker(bid=1.0, ask=1.1), [], None, complete=True, reported_type=3),
    )
    quote = await md.snapshot(AAPL)
    assert quote.market_data_type == "delayed" and quote.bid == 1.0
    assert md.ib.market_data_types == [3] and md.requests == 2
    await md.snapshot(AAPL)  # the session stays on delayed data: no second switch
    assert md.ib.market_data_types == [3] and md.requests == 3


async def test_10167_delayed_data_is_labelled_and_not_asked_twice() -> None:
    notice = [(10167, "Requested market data is not subscribed. Displaying delayed market data.")]
    md = ScriptedMarketData(
        SnapshotOutcome(_ticker(last=5.0), notice, None, complete=True, reported_type=None)
    )
    quote = await md.snapshot(AAPL)
    assert quote.market_data_type == "delayed" and quote.last_price == 5.0
    assert md.requests == 1 and md.ib.market_data_types == [3]


async def test_without_fallback_354_is_market_data_unavailable() -> None:
    not_subscribed = RequestError(5, 354, "Requested market data is not subscribed.")
    md = ScriptedMarketData(
        SnapshotOutcome(_ticker(), [], not_subscribed, complete=False, reported_type=None),
        fallback=None,
    )
    with pytest.raises(MarketDataUnavailable) as caught:
        await md.snapshot(AAPL)
    assert "not subscribed" in caught.value.message


async def test_a_snapshot_that_never_ends_returns_what_came_or_times_out() -> None:
    md = ScriptedMarketData(
        SnapshotOutcome(_ticker(bid=2.0), [], None, complete=False, reported_type=1),
        SnapshotOutcome(_ticker(), [], None, complete=False, reported_type=None),
    )
    partial = await md.snapshot(AAPL)
    assert partial.bid == 2.0 and partial.ask is None and partial.market_data_type == "live"
    with pytest.raises(BrokerTimeout):
        await md.snapshot(AAPL)

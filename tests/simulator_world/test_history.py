from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from adapters.simulated_gateway import SimWorld
from adapters.simulated_gateway.markets.trading_calendar import EASTERN
from adapters.simulated_gateway.model import ContractQuery, HistoricalDataError

AAPL = 265598
# Wednesday 4 February 2026, 12:00 in New York.
NOON = datetime(2026, 2, 4, 17, 0, tzinfo=UTC)


@pytest.fixture
def noon() -> SimWorld:
    return SimWorld(seed=7, start=NOON)


@pytest.mark.parametrize(
    ("duration", "bar", "rth", "count"),
    [
        ("1 D", "1 hour", True, 3),  # 09:30 (short), 10:00, 11:00
        ("1 D", "30 mins", True, 5),
        ("1800 S", "1 min", True, 30),
        ("3600 S", "5 secs", True, 720),
        ("2 D", "1 hour", True, 10),  # a full day of 7 bars plus this morning's 3
        ("1 D", "1 hour", False, 8),  # from 04:00
        ("1 W", "1 day", True, 5),
        ("1 M", "1 day", True, 22),  # 5 Jan..4 Feb, less Martin Luther King Day
        ("1 Y", "1 month", True, 13),
    ],
)
def test_bar_counts(noon: SimWorld, duration: str, bar: str, rth: bool, count: int) -> None:
    bars = noon.historical_bars(AAPL, None, duration, bar, "TRADES", rth)
    assert len(bars) == count
    times = [b.time for b in bars]
    assert times == sorted(times) and len(set(times)) == len(times)
    for b in bars:
        assert b.low <= min(b.open, b.close) <= max(b.open, b.close) <= b.high
        assert b.volume > 0 and b.count > 0 and b.time.tzinfo is not None


def test_rth_bars_stay_in_regular_hours(noon: SimWorld) -> None:
    bars = noon.historical_bars(AAPL, None, "5 D", "15 mins", "TRADES", True)
    for b in bars:
        local = b.time.astimezone(EASTERN)
        assert local.weekday() < 5
        assert time(9, 30) <= local.time() < time(16, 0)


def test_daily_bars_are_dated_at_midnight_and_skip_weekends(noon: SimWorld) -> None:
    bars = noon.historical_bars(AAPL, None, "1 M", "1 day", "MIDPOINT", True)
    for b in bars:
        assert b.time.time() == time(0) and b.time.weekday() < 5
        assert b.volume == -1


def test_last_bar_closes_at_the_live_price(noon: SimWorld) -> None:
    noon.step(123.0)
    q = noon.quote(AAPL)
    for bar in ("1 min", "1 hour", "1 day"):
        last = noon.historical_bars(AAPL, None, "1 D", bar, "TRADES", True)[-1]
        assert q.bid - 0.02 <= last.close <= q.ask + 0.02


def test_history_does_not_change_as_time_moves_on(noon: SimWorld) -> None:
    before = noon.historical_bars(AAPL, None, "1 D", "5 mins", "BID", True)
    noon.step(3 * 3600)
    after = noon.historical_bars(AAPL, NOON, "1 D", "5 mins", "BID", True)
    assert before == after


def test_option_and_future_bars(noon: SimWorld) -> None:
    call = noon.find(ContractQuery(symbol="AAPL", sec_type="OPT", last_trade_date="20260320",
                                   strike=230.0, right="C"))[0]  # fmt: skip
    bars = noon.historical_bars(call.con_id, None, "1 D", "5 mins", "TRADES", True)
    q = noon.quote(call.con_id)
    assert bars and abs(bars[-1].close - (q.bid + q.ask) / 2) < 0.2
    es = noon.find(ContractQuery(symbol="ES", sec_type="FUT", last_trade_date="202603"))[0]
    fut = noon.historical_bars(es.con_id, None, "2 D", "1 hour", "TRADES", False)
    assert abs(fut[-1].close - noon.quote(es.con_id).bid) <= 0.5
    vols = noon.historical_bars(AAPL, None, "1 M", "1 day", "OPTION_IMPLIED_VOLATILITY", True)
    assert all(0.05 < b.close < 1.0 for b in vols)


@pytest.mark.parametrize(
    ("duration", "bar", "what", "code"),
    [
        ("1 X", "1 hour", "TRADES", 321),
        ("D", "1 hour", "TRADES", 321),
        ("1 D", "7 mins", "TRADES", 321),
        ("1 D", "1 hour", "PRICES", 321),
        ("1 D", "1 secs", "TRADES", 162),
        ("10 Y", "1 min", "TRADES", 162),
    ],
)
def test_bad_requests_raise_like_ib(
    noon: SimWorld, duration: str, bar: str, what: str, code: int
) -> None:
    with pytest.raises(HistoricalDataError) as err:
        noon.historical_bars(AAPL, None, duration, bar, what, True)
    assert err.value.code == code and err.value.message


def test_fx_has_no_trades(noon: SimWorld) -> None:
    with pytest.raises(HistoricalDataError) as err:
        noon.historical_bars(12087792, None, "1 D", "1 hour", "TRADES", False)
    assert err.value.code == 162
    assert noon.historical_bars(12087792, None, "1 D", "1 hour", "MIDPOINT", False)


def test_bar_cap(noon: SimWorld) -> None:
    bars = noon.historical_bars(AAPL, None, "20 D", "1 min", "MIDPOINT", False)
    assert len(bars) == 10_000

"""The simulated trading schedule's durations: sessions for D, calendar spans for W, M, Y."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from adapters.simulated_gateway import SimWorld
from adapters.simulated_gateway.markets.trading_schedule import trading_schedule
from adapters.simulated_gateway.model import HistoricalDataError
from tests.simulator_world.conftest import one

TUESDAY = datetime(2025, 3, 4, 15, 0, tzinfo=UTC)  # 10:00 New York


def _days(world: SimWorld, duration: str) -> list[date]:
    aapl = one(world, symbol="AAPL", sec_type="STK")
    return [s.ref_date for s in trading_schedule(aapl, TUESDAY, duration, True).sessions]


def test_weeks_and_months_are_calendar_spans(world: SimWorld) -> None:
    week = _days(world, "1 W")
    assert week == [date(2025, 2, d) for d in (26, 27, 28)] + [date(2025, 3, 3), date(2025, 3, 4)]
    month = _days(world, "1 M")
    assert month[0] == date(2025, 2, 5) and month[-1] == date(2025, 3, 4)
    assert date(2025, 2, 17) not in month  # Presidents' Day
    assert len(month) == 19
    assert _days(world, "1 Y")[0] == date(2024, 3, 5)
    assert len(_days(world, "366 D")) == 366


@pytest.mark.parametrize(
    ("duration", "cause"),
    [("60 S", "not seconds"), ("2 Y", "too long"), ("13 M", "too long"), ("53 W", "too long"),
     ("367 D", "too long"), ("0 D", "invalid"), ("a week", "invalid")],
)  # fmt: skip
def test_durations_out_of_bounds_are_321(world: SimWorld, duration: str, cause: str) -> None:
    with pytest.raises(HistoricalDataError) as refused:
        _days(world, duration)
    assert refused.value.code == 321 and cause in refused.value.message

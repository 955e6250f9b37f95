"""The historical trading schedule through IbBroker against the simulator, and IB's answer
read as the domain's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from ib_async import HistoricalSchedule, HistoricalSession

from adapters.ib.broker import IbBroker
from adapters.ib.schedule import to_schedule
from adapters.simulated_gateway import TwsSimulator
from domain.contract import Contract, ContractQuery
from domain.errors import MarketDataUnavailable

AAPL = 265598


async def _contract(broker: IbBroker, con_id: int) -> Contract:
    (found,) = await broker.contract_details(ContractQuery(con_id=con_id))
    return found


async def test_the_last_days_sessions_with_their_offsets(
    broker: IbBroker, simulator: TwsSimulator
) -> None:
    aapl = await _contract(broker, AAPL)
    rth = await broker.historical_schedule(aapl, 3, None, True)
    assert rth.time_zone == "US/Eastern"
    # the world's clock: Tuesday 2025-03-04 10:00 New York; the weekend has no session
    assert [s.ref_date for s in rth.sessions] == ["2025-02-28", "2025-03-03", "2025-03-04"]
    assert rth.sessions[-1].start == "2025-03-04T09:30:00-05:00"
    assert rth.sessions[-1].end == "2025-03-04T16:00:00-05:00"
    again = await broker.historical_schedule(aapl, 3, None, True)
    assert again == rth and simulator.requests["20"] == 1  # the second from the cache
    full = await broker.historical_schedule(aapl, 3, None, False)
    assert full.sessions[0].start == "2025-02-28T04:00:00-05:00"
    assert simulator.requests["20"] == 2


async def test_an_end_in_summer_time_and_a_holiday(broker: IbBroker) -> None:
    aapl = await _contract(broker, AAPL)
    end = datetime(2025, 7, 7, 12, 0, tzinfo=UTC)  # Monday 08:00 New York, before the open
    july = await broker.historical_schedule(aapl, 2, end, True)
    # Monday's regular session has not opened: Thursday's half day and Wednesday, no Friday
    assert [(s.ref_date, s.end) for s in july.sessions] == [
        ("2025-07-02", "2025-07-02T16:00:00-04:00"),
        ("2025-07-03", "2025-07-03T13:00:00-04:00"),
    ]


def test_ib_times_become_iso_with_the_zone_offset() -> None:
    raw = HistoricalSchedule(
        "20250303-17:00:00", "20250304-16:00:00", "US/Central",
        [HistoricalSession("20250303-17:00:00", "20250304-16:00:00", "20250304")],
    )  # fmt: skip
    (session,) = to_schedule(raw, "ES").sessions
    assert session.start == "2025-03-03T17:00:00-06:00" and session.ref_date == "2025-03-04"
    unknown_zone = HistoricalSchedule("", "", "Mars/Olympus", raw.sessions)
    assert to_schedule(unknown_zone, "ES").sessions[0].start == "2025-03-03T17:00:00"


@pytest.mark.parametrize("raw", [None, HistoricalSchedule("", "", "US/Eastern", [
    HistoricalSession("yesterday", "today", "20250304")])])  # fmt: skip
def test_a_missing_or_garbled_schedule_is_a_domain_error(raw: object) -> None:
    with pytest.raises(MarketDataUnavailable, match="AAPL"):
        to_schedule(raw, "AAPL")

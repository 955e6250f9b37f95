"""The trading schedule use case against the fake broker: days' bounds, order, edges."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import pytest
from msgspec import UNSET

from application.services.contracts import ContractService
from application.services.history_extras import HistoryExtrasService
from domain.contract import Contract
from domain.errors import ContractNotFound, InvalidRequest, NotSupported
from domain.trading_schedule import MAX_SCHEDULE_DAYS, BrokerSchedule, ScheduledSession
from tests.fakes import FakeBroker, FakeClock

AAPL = 265598


def _service(broker: FakeBroker, *, schedules: bool = True) -> HistoryExtrasService:
    return HistoryExtrasService(
        broker, ContractService(broker), FakeClock(), schedules=broker if schedules else None
    )


def _broker() -> FakeBroker:
    broker = FakeBroker()
    broker.contracts.append(
        Contract(con_id=AAPL, symbol="AAPL", sec_type="STK", exchange="SMART", currency="USD")
    )
    return broker


async def test_the_sessions_oldest_first_with_the_schedules_edges() -> None:
    broker = _broker()
    end = datetime(2025, 10, 6, 20, 0, tzinfo=UTC)  # Monday
    result = await _service(broker).trading_schedule(AAPL, 3, end, False)
    assert (result.symbol, result.contract_id, result.time_zone) == ("AAPL", AAPL, "US/Eastern")
    assert [s.ref_date for s in result.sessions] == ["2025-10-02", "2025-10-03", "2025-10-06"]
    assert result.start == "2025-10-02T04:00:00-04:00" and result.end == "2025-10-06T20:00:00-04:00"
    assert result.count == 3 and result.use_rth is False
    (_, days, asked_end, use_rth) = broker.called("historical_schedule")[0]
    assert (days, asked_end, use_rth) == (3, end, False)


async def test_sessions_out_of_order_are_sorted_and_none_leave_the_edges_out() -> None:
    broker = _broker()
    late = ScheduledSession(start="2025-10-03T09:30:00-04:00", end="2025-10-03T16:00:00-04:00",
                            ref_date="2025-10-03")  # fmt: skip
    early = ScheduledSession(start="2025-10-02T09:30:00-04:00", end="2025-10-02T16:00:00-04:00",
                             ref_date="2025-10-02")  # fmt: skip
    broker.historical_schedules[AAPL] = BrokerSchedule(time_zone="US/Eastern",
                                                       sessions=[late, early])  # fmt: skip
    result = await _service(broker).trading_schedule(AAPL, 2, None, True)
    assert result.sessions == [early, late] and result.start == early.start
    broker.historical_schedules[AAPL] = BrokerSchedule(time_zone="US/Eastern", sessions=[])
    empty = await _service(broker).trading_schedule(AAPL, 2, None, True)
    assert empty.count == 0 and empty.start is UNSET and empty.end is UNSET
    assert b'"start"' not in msgspec.json.encode(empty)


@pytest.mark.parametrize("days", [0, MAX_SCHEDULE_DAYS + 1])
async def test_days_out_of_bounds_never_reach_the_broker(days: int) -> None:
    broker = _broker()
    with pytest.raises(InvalidRequest) as refused:
        await _service(broker).trading_schedule(AAPL, days, None, True)
    assert refused.value.details.get("field") == "days"
    assert broker.called("historical_schedule") == []


async def test_an_unknown_contract_and_a_broker_without_schedules() -> None:
    broker = _broker()
    with pytest.raises(ContractNotFound):
        await _service(broker).trading_schedule(999, 5, None, True)
    with pytest.raises(NotSupported, match="trading schedules"):
        await _service(broker, schedules=False).trading_schedule(AAPL, 5, None, True)

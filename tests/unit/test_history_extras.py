"""Research history: the query grammar and the service's paging cursor, against fakes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from application.services.contracts import ContractService
from application.services.history_extras import HistoryExtrasService
from domain.contract import Contract
from domain.errors import InvalidRequest
from domain.history_extras import HistoricalTick, TicksQuery, normalise_period, parse_moment
from tests.fakes import FakeBroker, FakeClock

AAPL = 265598


def test_periods_and_moments() -> None:
    assert normalise_period(" 1  Weeks ") == "1 week"
    assert normalise_period("3 d") == "3 days"
    with pytest.raises(InvalidRequest, match="period"):
        normalise_period("fortnight")
    assert parse_moment("2025-10-03T14:30:00", "start") == datetime(2025, 10, 3, 14, 30, tzinfo=UTC)
    with pytest.raises(InvalidRequest, match="ISO 8601"):
        parse_moment("yesterday", "start")


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"count": 1001}, "count"), ({"what_to_show": "BID"}, "what_to_show"),
     ({"start": datetime.now(UTC), "end": datetime.now(UTC)}, "start")],
)  # fmt: skip
def test_ticks_query_limits(changes: dict, field: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        TicksQuery(contract_id=AAPL, **changes)
    assert refused.value.details.get("field") == field


def _service(broker: FakeBroker) -> HistoryExtrasService:
    clock = FakeClock()
    return HistoryExtrasService(broker, ContractService(broker), clock)


async def test_a_page_of_ticks_says_where_the_next_starts() -> None:
    broker = FakeBroker()
    con_id = AAPL
    broker.contracts.append(
        Contract(con_id=AAPL, symbol="AAPL", sec_type="STK", exchange="SMART", currency="USD")
    )
    broker.ticks[con_id] = [
        HistoricalTick(time="2025-10-03T14:30:00+00:00", price=1.0, size=1.0, exchange="X"),
        HistoricalTick(time="2025-10-03T14:30:05+00:00", price=1.1, size=1.0, exchange="X"),
    ]
    service = _service(broker)
    start = datetime(2025, 10, 3, 14, 30, tzinfo=UTC)
    forward = await service.historical_ticks(TicksQuery(contract_id=con_id, start=start))
    assert forward.count == 2 and forward.next_start == "2025-10-03T14:30:06+00:00"
    backward = await service.historical_ticks(TicksQuery(contract_id=con_id))
    assert backward.next_end == "2025-10-03T14:29:59+00:00"
    (_, _, end) = broker.called("historical_ticks")[-1]
    assert end is not None  # neither start nor end: up to now

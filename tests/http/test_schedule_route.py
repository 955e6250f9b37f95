"""GET /ibkr/contracts/{contract_id}/schedule: the historical trading schedule over REST."""

from __future__ import annotations

from datetime import UTC, datetime

from litestar.testing import TestClient

from domain.contract import Contract
from domain.errors import RateLimited
from tests.fakes import FakeBroker

AAPL = Contract(sec_type="STK", con_id=265598, symbol="AAPL", exchange="SMART", currency="USD")


def test_the_schedule_with_its_parameters(client: TestClient, broker: FakeBroker) -> None:
    broker.contracts.append(AAPL)
    answer = client.get(
        "/ibkr/contracts/265598/schedule",
        params={"days": 2, "end": "2025-10-06T20:00:00Z", "use_rth": "false"},
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body == {
        "contract_id": 265598, "symbol": "AAPL", "time_zone": "US/Eastern", "use_rth": False,
        "start": "2025-10-03T04:00:00-04:00", "end": "2025-10-06T20:00:00-04:00",
        "sessions": [
            {"start": "2025-10-03T04:00:00-04:00", "end": "2025-10-03T20:00:00-04:00",
             "ref_date": "2025-10-03"},
            {"start": "2025-10-06T04:00:00-04:00", "end": "2025-10-06T20:00:00-04:00",
             "ref_date": "2025-10-06"},
        ],
        "count": 2,
    }  # fmt: skip
    (_, days, end, use_rth) = broker.called("historical_schedule")[0]
    assert (days, end, use_rth) == (2, datetime(2025, 10, 6, 20, tzinfo=UTC), False)
    default = client.get("/ibkr/contracts/265598/schedule").json()
    assert default["count"] == 5 and default["use_rth"] is True
    assert broker.called("historical_schedule")[1][1:] == (5, None, True)


def test_bad_input_unknown_contracts_and_pacing(client: TestClient, broker: FakeBroker) -> None:
    broker.contracts.append(AAPL)
    too_many = client.get("/ibkr/contracts/265598/schedule", params={"days": 31})
    assert too_many.status_code == 400 and "days" in too_many.text
    bad_end = client.get("/ibkr/contracts/265598/schedule", params={"end": "soon"})
    assert bad_end.status_code == 400 and "ISO 8601" in bad_end.text
    assert broker.called("historical_schedule") == []
    unknown = client.get("/ibkr/contracts/999/schedule")
    assert unknown.status_code == 404
    broker.fail("historical_schedule", RateLimited("Historical data pacing", retry_after=15))
    paced = client.get("/ibkr/contracts/265598/schedule")
    assert paced.status_code == 429 and paced.headers.get("retry-after") == "15"

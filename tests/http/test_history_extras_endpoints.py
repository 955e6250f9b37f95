"""The research history endpoints: head timestamp, historical ticks, histogram."""

from __future__ import annotations

from litestar.testing import TestClient

from domain.errors import RateLimited
from tests import contract_examples as ex
from tests.fakes import FakeBroker, FakeGateway

CON_ID = 12345678


def test_the_three_endpoints(client: TestClient, broker: FakeBroker, gateway: FakeGateway) -> None:
    ex.seed(broker, gateway)
    head = client.get(f"/ibkr/market_data/head_timestamp?contract_id={CON_ID}&use_rth=false")
    assert head.status_code == 200 and head.json()["earliest"].startswith("2004-01-23")
    ticks = client.get(f"/ibkr/market_data/historical_ticks?contract_id={CON_ID}&count=5")
    assert ticks.status_code == 200 and ticks.json()["ticks"] == []
    assert "message" in ticks.json()
    histogram = client.get(f"/ibkr/market_data/histogram?contract_id={CON_ID}&period=1%20week")
    assert histogram.status_code == 200 and len(histogram.json()["buckets"]) == 2


def test_bad_input_and_pacing_are_domain_errors(
    client: TestClient, broker: FakeBroker, gateway: FakeGateway
) -> None:
    ex.seed(broker, gateway)
    bad = client.get(f"/ibkr/market_data/historical_ticks?contract_id={CON_ID}&start=soon")
    assert bad.status_code == 400 and "ISO 8601" in bad.text
    bad = client.get(f"/ibkr/market_data/histogram?contract_id={CON_ID}&period=forever")
    assert bad.status_code == 400
    broker.fail("historical_ticks", RateLimited("Historical data pacing violation", retry_after=15))
    paced = client.get(f"/ibkr/market_data/historical_ticks?contract_id={CON_ID}")
    assert paced.status_code == 429 and paced.headers.get("retry-after") == "15"

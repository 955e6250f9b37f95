"""The new order types through REST: placed as asked, and a missing term is a 400."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from tests import contract_examples as ex
from tests.fakes import FakeBroker, FakeGateway

AAPL = {"contract_id": 12345678, "action": "SELL", "quantity": 10}


@pytest.fixture(autouse=True)
def _contract_world(broker: FakeBroker, gateway: FakeGateway) -> None:
    ex.seed(broker, gateway)


@pytest.mark.parametrize(
    "terms",
    [
        {"order_type": "TRAIL", "trailing_amount": 2.5, "trail_stop_price": 140.0},
        {"order_type": "MOC"},
        {"order_type": "LMT", "limit_price": 150.0,
         "algo": {"strategy": "twap", "params": {"startTime": "10:00:00 US/Eastern",
                                                 "endTime": "11:00:00 US/Eastern"}}},
    ],
    ids=["trail", "moc", "twap"],
)  # fmt: skip
def test_the_order_reaches_the_broker_with_its_terms(
    client: TestClient, broker: FakeBroker, terms: dict
) -> None:
    response = client.post("/ibkr/orders/place", json={**AAPL, **terms})
    assert response.status_code in (200, 201), response.text
    ((_, sent),) = broker.called("place_order")
    assert sent.order_type == terms["order_type"]
    if "trailing_amount" in terms:
        assert (sent.trailing_amount, sent.trail_stop_price) == (2.5, 140.0)
    if "algo" in terms:
        assert sent.algo.strategy == "Twap"
        assert sent.algo.params["endTime"] == "11:00:00 US/Eastern"


def test_a_trail_without_its_distance_is_a_400_naming_what_it_needs(
    client: TestClient, broker: FakeBroker
) -> None:
    for path in ("/ibkr/orders/place", "/ibkr/orders/preview"):
        response = client.post(path, json={**AAPL, "order_type": "TRAIL"})
        assert response.status_code == 400
        body = response.json()
        assert body["error"] == "TRAIL orders need trailing_amount or trailing_percent"
        assert body["field"] == "trailing_amount"
    assert broker.called("place_order") == []

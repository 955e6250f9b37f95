"""GET /ibkr/executions and GET /ibkr/orders/completed over the fakes."""

from __future__ import annotations

from litestar.testing import TestClient

from tests import contract_examples as ex
from tests.fakes import FakeBroker, FakeGateway

MARKET = {"contract_id": 12345678, "action": "BUY", "quantity": 10}


def test_a_fill_is_listed_with_its_commission(
    client: TestClient, broker: FakeBroker, gateway: FakeGateway
) -> None:
    ex.seed(broker, gateway)
    placed = client.post("/ibkr/orders/place", json={**MARKET, "client_order_id": "k1"}).json()
    response = client.get("/ibkr/executions", params={"symbol": "AAPL", "side": "buy"})
    assert response.status_code == 200, response.text
    (execution,) = response.json()
    assert execution["order_id"] == placed["order_id"]
    assert execution["client_order_id"] == "k1" and execution["side"] == "BUY"
    assert execution["commission"] == 1.0 and execution["commission_currency"] == "USD"
    assert execution["realized_pnl"] is None
    query = broker.called("executions")[-1][0]
    # the use case reads every execution (at most 1000); the door cuts the page (100 on REST)
    assert (query.symbol, query.side, query.limit) == ("AAPL", "BUY", 1000)


def test_since_must_carry_a_zone_and_limit_is_bounded(client: TestClient) -> None:
    naive = client.get("/ibkr/executions", params={"since": "2025-03-04T14:30:00"})
    assert naive.status_code == 400 and naive.json()["field"] == "since"
    assert "ISO 8601" in naive.json()["error"]
    too_many = client.get("/ibkr/executions", params={"limit": "1001"})
    assert too_many.status_code == 400 and too_many.json()["field"] == "limit"
    zoned = client.get("/ibkr/executions", params={"since": "2025-03-04T14:30:00+01:00"})
    assert zoned.status_code == 200 and zoned.json() == []


def test_completed_orders_is_not_an_order_id(client: TestClient, broker: FakeBroker) -> None:
    response = client.get("/ibkr/orders/completed", params={"limit": 5})
    assert response.status_code == 200 and response.json() == []
    assert broker.called("completed_orders") == [()]

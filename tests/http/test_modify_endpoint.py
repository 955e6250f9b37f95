"""PATCH /ibkr/orders/{order_id} over the fakes."""

from __future__ import annotations

from litestar.testing import TestClient

from tests import contract_examples as ex
from tests.fakes import FakeBroker, FakeGateway

LIMIT = {"contract_id": 12345678, "action": "BUY", "quantity": 10, "order_type": "LMT",
         "limit_price": 150}  # fmt: skip


def test_modify_answers_the_brokers_state(
    client: TestClient, broker: FakeBroker, gateway: FakeGateway
) -> None:
    ex.seed(broker, gateway)
    placed = client.post("/ibkr/orders/place", json=LIMIT).json()
    response = client.patch(
        f"/ibkr/orders/{placed['order_id']}", json={"quantity": 12, "time_in_force": "gtc"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["remaining_quantity"] == 12
    (_, _, order) = broker.called("modify_order")[0]
    assert (order.quantity, order.time_in_force, order.limit_price) == (12, "GTC", 150)


def test_modify_errors(client: TestClient, broker: FakeBroker, gateway: FakeGateway) -> None:
    ex.seed(broker, gateway)
    placed = client.post("/ibkr/orders/place", json=LIMIT).json()
    path = f"/ibkr/orders/{placed['order_id']}"
    empty = client.patch(path, json={})
    assert empty.status_code == 400
    assert empty.json()["accepted"] == [
        "quantity", "limit_price", "stop_price", "time_in_force", "good_till_date",
    ]  # fmt: skip
    assert client.patch("/ibkr/orders/4242", json={"quantity": 1}).status_code == 404
    unknown = client.patch(path, json={"side": "SELL"})
    assert unknown.status_code == 400 and "unknown key 'side'" in unknown.json()["error"]
    negative = client.patch(path, json={"limit_price": -1})
    assert negative.status_code == 400 and negative.json()["field"] == "limit_price"
    client.delete(path)
    cancelled = client.patch(path, json={"quantity": 1})
    assert cancelled.status_code == 422 and cancelled.json()["code"] == "order_rejected"
    assert broker.called("modify_order") == []

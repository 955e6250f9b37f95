"""POST /ibkr/orders/oca over the fakes."""

from __future__ import annotations

from litestar.testing import TestClient

from tests import contract_examples as ex
from tests.fakes import FakeBroker, FakeGateway

ONE = {"contract_id": 12345678, "action": "BUY", "quantity": 10, "order_type": "LMT",
       "limit_price": 150}  # fmt: skip
GROUP = {"orders": [ONE, {**ONE, "limit_price": 149}], "oca_type": 2, "client_order_id": "o-1"}


def test_an_oca_group_is_placed_once(
    client: TestClient, broker: FakeBroker, gateway: FakeGateway
) -> None:
    ex.seed(broker, gateway)
    response = client.post("/ibkr/orders/oca", json=GROUP)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["oca_group"] == "oca:o-1" and body["oca_type"] == 2 and len(body["orders"]) == 2
    sent = [request.client_order_id for _, request in broker.order_requests.values()]
    assert sent == ["o-1:1", "o-1:2"]
    again = client.post("/ibkr/orders/oca", json=GROUP).json()
    assert again["duplicate"] is True and broker.group_calls == 1


def test_oca_input_is_refused_naming_the_field(
    client: TestClient, broker: FakeBroker, gateway: FakeGateway
) -> None:
    ex.seed(broker, gateway)
    one = client.post("/ibkr/orders/oca", json={"orders": [ONE]})
    assert one.status_code == 400 and one.json()["field"] == "orders"
    keyed = client.post("/ibkr/orders/oca",
                        json={"orders": [ONE, {**ONE, "client_order_id": "x"}]})  # fmt: skip
    assert keyed.status_code == 400 and keyed.json()["field"] == "orders[1].client_order_id"
    kind = client.post("/ibkr/orders/oca", json={**GROUP, "oca_type": 4})
    assert kind.status_code == 400 and kind.json()["field"] == "oca_type"


def test_agents_preview_each_member(
    client: TestClient, broker: FakeBroker, gateway: FakeGateway
) -> None:
    ex.seed(broker, gateway)
    tokens = [client.post("/ibkr/orders/preview", json=o).json()["confirmation_token"]
              for o in GROUP["orders"]]  # fmt: skip
    placed = client.post("/ibkr/orders/oca", json={**GROUP, "client_order_id": "o-2"},
                         headers={"Confirmation-Tokens": ",".join(tokens)})  # fmt: skip
    assert placed.status_code == 200, placed.text
    wrong = client.post("/ibkr/orders/oca", json={**GROUP, "client_order_id": "o-3"},
                        headers={"Confirmation-Tokens": ",".join(reversed(tokens))})  # fmt: skip
    assert wrong.status_code == 422 and wrong.json()["code"] == "invalid_confirmation"

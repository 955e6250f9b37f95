"""Brackets and cancel-all over REST, on the fakes."""

from __future__ import annotations

from litestar.testing import TestClient

from tests import contract_examples as ex
from tests.fakes import FakeBroker, FakeGateway

BRACKET = {"contract_id": 12345678, "action": "BUY", "quantity": 10, "order_type": "LMT",
           "limit_price": 150, "take_profit": {"percent": 1}, "stop_loss": {"offset": 2}}  # fmt: skip


def test_a_bracket_answers_its_three_orders(
    client: TestClient, broker: FakeBroker, gateway: FakeGateway
) -> None:
    ex.seed(broker, gateway)
    response = client.post("/ibkr/orders/bracket", json=BRACKET, headers={"Idempotency-Key": "k1"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["client_order_id"] == "k1" and body["oca_group"] == "bracket:k1"
    assert body["take_profit"]["status"] == body["stop_loss"]["status"] == "PreSubmitted"
    again = client.post("/ibkr/orders/bracket", json=BRACKET, headers={"Idempotency-Key": "k1"})
    assert again.json()["duplicate"] is True and broker.group_calls == 1
    other = client.post("/ibkr/orders/bracket", json={**BRACKET, "quantity": 11},
                        headers={"Idempotency-Key": "k1"})  # fmt: skip
    assert other.status_code == 409 and other.json()["code"] == "idempotency_conflict"


def test_bracket_input_errors_name_the_field(
    client: TestClient, broker: FakeBroker, gateway: FakeGateway
) -> None:
    ex.seed(broker, gateway)
    both = client.post(
        "/ibkr/orders/bracket", json={**BRACKET, "stop_loss": {"price": 1, "percent": 1}}
    )
    assert both.status_code == 400
    wrong_side = client.post("/ibkr/orders/bracket", json={**BRACKET, "stop_loss": {"price": 160}})
    assert wrong_side.status_code == 400 and wrong_side.json()["field"] == "stop_loss"
    stop_entry = client.post("/ibkr/orders/bracket", json={**BRACKET, "order_type": "STP"})
    assert stop_entry.status_code == 400 and stop_entry.json()["field"] == "order_type"
    assert broker.group_calls == 0


def test_a_bracket_preview_answers_every_leg_and_a_token(
    client: TestClient, broker: FakeBroker, gateway: FakeGateway
) -> None:
    ex.seed(broker, gateway)
    response = client.post("/ibkr/orders/bracket/preview", json=BRACKET)
    assert response.status_code == 200, response.text
    body = response.json()
    assert [leg["role"] for leg in body["legs"]] == ["parent", "take_profit", "stop_loss"]
    assert body["legs"][2]["order"]["stop_price"] == 148.0 and body["confirmation_token"]
    placed = client.post("/ibkr/orders/bracket", json=BRACKET,
                         headers={"Confirmation-Token": body["confirmation_token"]})  # fmt: skip
    assert placed.status_code == 200


def test_cancel_all_needs_confirm_and_lists_what_it_cancelled(
    client: TestClient, broker: FakeBroker, gateway: FakeGateway
) -> None:
    ex.seed(broker, gateway)
    limit = {k: v for k, v in BRACKET.items() if k not in ("take_profit", "stop_loss")}
    placed = client.post("/ibkr/orders/place", json=limit).json()
    refused = client.post("/ibkr/orders/cancel_all", json={"confirm": False})
    assert refused.status_code == 400 and refused.json()["field"] == "confirm"
    assert broker.global_cancels == 0
    stale = client.post(
        "/ibkr/orders/cancel_all", json={"confirm": True, "expected_perm_ids": [999]}
    )
    assert stale.status_code == 409, stale.text
    assert stale.json()["code"] == "open_orders_changed"
    assert stale.json()["unseen_order_ids"] == [placed["order_id"]]
    assert broker.global_cancels == 0
    response = client.post("/ibkr/orders/cancel_all", json={"confirm": True})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["count"] == 1 and body["complete"] is True
    assert body["orders"][0]["order"]["order_id"] == placed["order_id"]
    assert body["orders"][0]["final_status"] == "Cancelled"
    audit = client.get("/ibkr/orders/audit").json()
    assert [e["action"] for e in audit[:3]] == ["cancel_all", "cancel_all", "cancel_all"]
    assert audit[2]["error"]["code"] == "invalid_request" and audit[0]["error"] is None
    assert audit[1]["error"]["code"] == "open_orders_changed"

"""POST /ibkr/options/exercise over REST."""

from __future__ import annotations

from litestar.testing import TestClient

from tests import contract_examples as ex
from tests.fakes import FakeBroker, FakeGateway

BODY = {"contract_id": 123456789, "action": "lapse", "quantity": 1}


def test_exercise_needs_confirm_and_answers_what_ib_did(
    client: TestClient, broker: FakeBroker, gateway: FakeGateway
) -> None:
    ex.seed(broker, gateway)
    refused = client.post("/ibkr/options/exercise", json={**BODY, "confirm": False})
    assert refused.status_code == 400 and refused.json()["field"] == "confirm"
    response = client.post("/ibkr/options/exercise", json={**BODY, "confirm": True})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["action"], body["status"], body["position_after"]) == ("lapse", "done", 0)
    assert broker.exercises == [(123456789, "lapse", 1, "DU1234567", False)]
    audit = client.get("/ibkr/orders/audit").json()
    assert [e["action"] for e in audit[:2]] == ["exercise", "exercise"]


def test_bad_bodies_name_the_field(client: TestClient) -> None:
    for bad, field in (({**BODY, "quantity": 0}, "quantity"), ({**BODY, "action": "sell"}, "action"),
                       ({**BODY, "quantity": 1.5}, "quantity")):  # fmt: skip
        response = client.post("/ibkr/options/exercise", json={**bad, "confirm": True})
        assert response.status_code == 400, response.text
        assert field in response.text

"""Guardrails and previews through the whole service on the embedded simulated gateway:
a refused order never reaches the simulator; a previewed one fills."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from entrypoints.bootstrap import build_app
from entrypoints.settings import settings_from_env
from tests.safety.conftest import audit_lines

AAPL, EURUSD = 265598, 12087792
GUARDED = {
    "max_order_quantity": 10.0,
    "max_order_notional": 5000.0,
    "allowed_sec_types": ("STK",),
    "allowed_symbols": ("AAPL", "MSFT"),
    "max_orders_per_minute": 2,
}


def serve(audit: Path, **settings: Any) -> Iterator[TestClient]:
    app = build_app(
        settings_from_env(
            {},
            request_timeout=5.0,
            connect_timeout=5.0,
            monitor_enabled=False,
            audit_file=audit,
            **settings,
        )
    )
    with TestClient(app, timeout=20) as client:
        deadline = time.monotonic() + 15
        while client.get("/health").status_code != 200:
            assert time.monotonic() < deadline, "the simulator did not come up"
            time.sleep(0.05)
        client.app.state["world"] = app.state["assembly"].runtime.simulator.world
        yield client


@pytest.fixture
def guarded(audit_path: Path) -> Iterator[TestClient]:
    yield from serve(audit_path, **GUARDED)


@pytest.fixture
def previewing(audit_path: Path) -> Iterator[TestClient]:
    yield from serve(audit_path, require_preview=True)


def orders_at_the_simulator(client: TestClient) -> int:
    world = client.app.state["world"]
    return len(world.open_orders()) + len(world.completed_orders())


def lmt(price: float, quantity: float = 1, **fields: Any) -> dict[str, Any]:
    return {"contract_id": AAPL, "action": "BUY", "order_type": "LMT", "limit_price": price,
            "quantity": quantity, **fields}  # fmt: skip


@pytest.mark.parametrize(
    ("order", "rule", "limit"),
    [
        (lmt(1.0, quantity=11), "max_order_quantity", 10.0),
        (lmt(600.0, quantity=10), "max_order_notional", 5000.0),
        (lmt(1.0, contract_id=EURUSD), "allowed_sec_types", ["STK"]),
        ({**lmt(1.0), "contract_id": None, "symbol": "CCJ", "currency": "USD"},
         "allowed_symbols", ["AAPL", "MSFT"]),
    ],
)  # fmt: skip
def test_each_guardrail_refuses_the_order_and_the_simulator_receives_nothing(
    guarded, audit_path, order, rule, limit
):
    for path in ("/ibkr/orders/preview", "/ibkr/orders/place"):
        response = guarded.post(path, json={k: v for k, v in order.items() if v is not None})
        assert response.status_code == 422, response.text
        body = response.json()
        assert (body["code"], body["rule"], body["limit"]) == ("guardrail_violation", rule, limit)
    assert orders_at_the_simulator(guarded) == 0
    refusals = audit_lines(audit_path)
    assert [(e.action, e.operation) for e in refusals] == [
        ("refusal", "preview"), ("refusal", "place"),
    ]  # fmt: skip
    assert refusals[1].error is not None and refusals[1].error.code == "guardrail_violation"


def test_the_orders_per_minute_cap_refuses_the_third_order(guarded):
    resting = lmt(1.0)
    assert guarded.post("/ibkr/orders/place", json=resting).status_code == 200
    assert guarded.post("/ibkr/orders/place", json=resting).status_code == 200
    third = guarded.post("/ibkr/orders/place", json=resting)
    assert third.status_code == 422 and third.json()["rule"] == "max_orders_per_minute"
    assert int(third.headers["retry-after"]) >= 1
    assert orders_at_the_simulator(guarded) == 2


def test_preview_then_place_with_the_token_fills(previewing, audit_path):
    order = {"contract_id": AAPL, "action": "BUY", "order_type": "MKT", "quantity": 5}
    without = previewing.post("/ibkr/orders/place", json=order)
    assert without.status_code == 422 and without.json()["code"] == "preview_required"
    preview = previewing.post("/ibkr/orders/preview", json=order)
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert body["commission"] > 0 and body["commission_currency"] == "USD"
    assert body["init_margin_change"] > 0 and body["contract"]["con_id"] == AAPL
    assert orders_at_the_simulator(previewing) == 0  # a what-if places nothing
    token = body["confirmation_token"]

    mismatched = previewing.post(
        "/ibkr/orders/place", json={**order, "quantity": 6}, headers={"Confirmation-Token": token}
    )
    assert mismatched.status_code == 422
    assert (mismatched.json()["reason"], mismatched.json()["fields"]) == ("mismatch", ["quantity"])
    placed = previewing.post(
        "/ibkr/orders/place", json=order, headers={"Confirmation-Token": token}
    )
    assert placed.status_code == 200, placed.text
    assert placed.json()["status"] == "Filled" and placed.json()["filled_quantity"] == 5
    reused = previewing.post(
        "/ibkr/orders/place", json=order, headers={"Confirmation-Token": token}
    )
    assert reused.status_code == 422 and reused.json()["reason"] == "already_used"
    assert orders_at_the_simulator(previewing) == 1

    entries = audit_lines(audit_path)
    assert [e.action for e in entries] == ["refusal", "preview", "refusal", "place", "refusal"]
    assert entries[3].order_id == placed.json()["order_id"]
    assert token not in audit_path.read_text()


def test_a_keyed_retry_with_its_spent_token_returns_the_first_order(previewing):
    order = {"contract_id": AAPL, "action": "BUY", "order_type": "MKT", "quantity": 2}
    token = previewing.post("/ibkr/orders/preview", json=order).json()["confirmation_token"]
    headers = {"Confirmation-Token": token, "Idempotency-Key": "retry-after-timeout-1"}
    first = previewing.post("/ibkr/orders/place", json=order, headers=headers)
    retry = previewing.post("/ibkr/orders/place", json=order, headers=headers)
    assert first.status_code == 200, first.text
    assert retry.status_code == 200, retry.text
    assert retry.json()["order_id"] == first.json()["order_id"]
    assert retry.json()["duplicate"] is True
    assert orders_at_the_simulator(previewing) == 1
    # Without the key the spent token is still refused: it cannot place a second order.
    again = previewing.post("/ibkr/orders/place", json=order, headers={"Confirmation-Token": token})
    assert again.status_code == 422 and again.json()["reason"] == "already_used"


@pytest.fixture
def plain(audit_path: Path) -> Iterator[TestClient]:
    yield from serve(audit_path)


def test_quantities_follow_the_contracts_size_rule_from_ib(plain):
    details = plain.get("/ibkr/contract_details", params={"contract_id": EURUSD})
    assert details.status_code == 200, details.text
    eurusd = details.json()["qualified_contract"]
    assert (eurusd["min_size"], eurusd["size_increment"]) == (0.01, 0.01)
    for quantity, words in ((1.5, "size increment 1"), (1e-30, "minimum size 1"), ("1", "str")):
        for path in ("/ibkr/orders/preview", "/ibkr/orders/place"):
            response = plain.post(path, json=lmt(1.0, quantity=quantity))
            assert response.status_code == 400, response.text
            body = response.json()
            assert (body["code"], body["field"]) == ("invalid_request", "quantity")
            assert words in body["error"]
    assert orders_at_the_simulator(plain) == 0
    fx = lmt(0.5, quantity=20_000.25, contract_id=EURUSD)
    placed = plain.post("/ibkr/orders/place", json=fx)
    assert placed.status_code == 200, placed.text
    assert placed.json()["remaining_quantity"] == 20_000.25
    assert orders_at_the_simulator(plain) == 1

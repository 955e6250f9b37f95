"""An operation whose service the broker cannot offer answers 501, never a 500."""

from __future__ import annotations

import dataclasses

from litestar.testing import TestClient

from application.container import build_services
from entrypoints.http.app import create_http_app
from tests.fakes import FakeBroker, FakeClock, FakeGateway


def test_a_missing_capability_is_a_clear_501(
    broker: FakeBroker, gateway: FakeGateway, clock: FakeClock
):
    services = dataclasses.replace(
        build_services(broker, gateway, clock), research=None, groups=None, oca=None,
        exercise=None, account_actions=None,
    )  # fmt: skip
    app = create_http_app(services)
    with TestClient(app, raise_server_exceptions=False) as client:
        searched = client.get("/ibkr/contracts/search", params={"pattern": "appl"})
        cancelled = client.post("/ibkr/orders/cancel_all", json={"confirm": True})
    for answer in (searched, cancelled):
        assert answer.status_code == 501, answer.text
        assert answer.json()["code"] == "not_supported"
    assert "symbol search" in searched.json()["error"]

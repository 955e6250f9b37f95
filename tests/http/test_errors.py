"""Domain errors, Litestar's own errors and surprises, as HTTP statuses in the one error shape."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import structlog.testing
from litestar.testing import TestClient

from domain.errors import (
    BrokerTimeout,
    DomainError,
    GatewayError,
    MarketDataUnavailable,
    NotSupported,
    OrderRejected,
    RateLimited,
    ReadOnly,
)
from tests import contract_examples as ex
from tests.fakes import FakeBroker, FakeGateway

ORDER = {"contract_id": 12345678, "action": "BUY", "quantity": 10, "order_type": "MKT"}


@pytest.fixture(autouse=True)
def _contract_world(broker: FakeBroker, gateway: FakeGateway) -> None:
    ex.seed(broker, gateway)


def test_unknown_order_is_404(client: TestClient) -> None:
    response = client.delete("/ibkr/orders/424242")
    assert response.status_code == 404
    assert response.json()["code"] == "order_not_found"
    assert "424242" in response.json()["error"]


def test_unknown_contract_is_404(client: TestClient) -> None:
    response = client.get("/ibkr/market_data/snapshot?contract_id=99")
    assert response.status_code == 404
    assert response.json() == {
        "error": "No contract matches contract_id 99",
        "code": "contract_not_found",
        "status": 404,
    }


def test_ambiguous_contract_is_409_with_candidates(client: TestClient, broker: FakeBroker) -> None:
    response = client.get("/ibkr/market_data/snapshot?symbol=CCJ")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "ambiguous_contract"
    assert [c["con_id"] for c in body["candidates"]] == [1447060, 81540716]
    assert "currency (EUR, USD)" in body["error"]
    assert broker.called("snapshot") == []


def test_not_connected_is_503_with_retry_after(client: TestClient, broker: FakeBroker) -> None:
    broker.connected = False
    response = client.get("/ibkr/account/summary")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    body = response.json()
    assert (body["code"], body["retry_after"]) == ("not_connected", 2)


def test_order_rejected_is_422_with_ib_code_and_text(
    client: TestClient, broker: FakeBroker
) -> None:
    text = "Order rejected - reason: Your account has insufficient funds"
    broker.fail("place_order", OrderRejected(text, ib_code=201))
    response = client.post("/ibkr/orders/place", json=ORDER)
    assert response.status_code == 422
    assert response.json() == {
        "error": text,
        "code": "order_rejected",
        "status": 422,
        "ib_code": 201,
    }


def test_rate_limited_is_429_with_retry_after(client: TestClient, broker: FakeBroker) -> None:
    broker.fail("historical_bars", RateLimited("Historical data pacing violation", retry_after=15))
    response = client.get("/ibkr/market_data/historical?contract_id=12345678")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "15"
    assert response.json()["retry_after"] == 15


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (BrokerTimeout("The gateway did not answer in 10 s"), 504, "broker_timeout"),
        (ReadOnly("The IB API is read-only"), 403, "read_only"),
        (
            MarketDataUnavailable("No market data permissions for NYSE"),
            503,
            "market_data_unavailable",
        ),
        (GatewayError("Docker is not reachable"), 502, "gateway_error"),
        (NotSupported("An external gateway has no logs"), 501, "not_supported"),
        (DomainError("Something we did not map"), 500, "domain_error"),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, Exception) else str(v),
)
def test_domain_error_table(
    client: TestClient, broker: FakeBroker, error: DomainError, status: int, code: str
) -> None:
    broker.fail("positions", error)
    response = client.get("/ibkr/account/positions")
    assert response.status_code == status
    assert response.json() == {"error": error.message, "code": code, "status": status}
    assert "Retry-After" not in response.headers


def test_unexpected_error_is_500_without_details(client: TestClient, broker: FakeBroker) -> None:
    broker.fail("positions", RuntimeError("secret-token-123 in /srv/app/adapters/ib.py line 7"))
    with structlog.testing.capture_logs() as logs:
        response = client.get("/ibkr/account/positions")
    assert response.status_code == 500
    body = response.json()
    assert body == {
        "error": "Internal server error; the incident was logged",
        "code": "internal_error",
        "status": 500,
    }
    assert "secret" not in response.text and "Traceback" not in response.text
    [logged] = [e for e in logs if e["event"] == "http.unhandled_error"]
    assert (logged["error_type"], logged["path"]) == ("RuntimeError", "/ibkr/account/positions")


def test_unknown_path_and_method_use_the_same_shape(client: TestClient) -> None:
    missing = client.get("/ibkr/nothing")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    wrong = client.get("/ibkr/orders/place")
    assert (wrong.status_code, wrong.json()["code"]) == (405, "method_not_allowed")


def test_missing_required_parameter_names_it(client: TestClient) -> None:
    response = client.get("/ibkr/options_chain?exchange=SMART")
    assert response.status_code == 400
    assert response.json()["field"] == "underlying_symbol"


def test_error_details_are_always_json(client: TestClient, broker: FakeBroker) -> None:
    class Limit:
        def __str__(self) -> str:
            return "500 shares"

    broker.fail(
        "positions",
        DomainError("Over the limit", limit=Limit(), at=datetime(2025, 10, 5, tzinfo=UTC)),
    )
    body = client.get("/ibkr/account/positions").json()
    assert (body["limit"], body["at"]) == ("500 shares", "2025-10-05T00:00:00Z")

"""Bearer tokens on the whole HTTP app: REST, /docs and the body cap; liveness stays open."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from tests.safety.apps import AGENT_TOKEN, OPS_TOKEN, ORDER, TOKENS, bearer, full_app
from tests.safety.conftest import audit_lines


@pytest.fixture
def client(broker, audit_path, clock):
    with TestClient(full_app(broker, audit_path, clock, token=TOKENS)) as test_client:
        yield test_client


def test_no_token_is_401_with_a_bearer_challenge_and_the_error_shape(client):
    response = client.get("/ibkr/account/summary")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="ibkr-mcp"'
    assert response.json() == {
        "error": "Authentication required: send 'Authorization: Bearer <token>'",
        "code": "unauthorized",
        "status": 401,
    }


@pytest.mark.parametrize(
    "header",
    [bearer("not-the-token-0123456789"), bearer(OPS_TOKEN[:-1]), {"Authorization": OPS_TOKEN},
     {"Authorization": f"Basic {OPS_TOKEN}"}],
)  # fmt: skip
def test_a_wrong_token_is_401_invalid_token_and_not_echoed(client, header):
    response = client.get("/ibkr/account/summary", headers=header)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="ibkr-mcp", error="invalid_token"'
    assert OPS_TOKEN[:-1] not in response.text


def test_the_right_token_passes(client, broker):
    for token in (OPS_TOKEN, AGENT_TOKEN):
        response = client.get("/ibkr/account/summary", headers=bearer(token))
        assert response.status_code == 200
        assert response.json()["account_id"] == broker.account_id


def test_liveness_and_docs_are_open_but_readiness_and_mcp_are_not(client):
    assert client.get("/health/live").status_code == 200
    for path in ("/docs", "/docs/openapi.json"):  # no secret in them: see entrypoints/http/docs.py
        assert client.get(path).status_code == 200, path
    for path in ("/health", "/mcp/", "/no/such/path"):
        assert client.get(path).status_code == 401, path
    assert client.get("/health", headers=bearer(OPS_TOKEN)).status_code == 200


def test_the_audit_trail_names_the_token_never_the_token_itself(client, audit_path):
    placed = client.post("/ibkr/orders/place", json=ORDER, headers=bearer(OPS_TOKEN))
    assert placed.status_code == 200, placed.text
    [entry] = audit_lines(audit_path)
    assert (entry.caller, entry.transport, entry.action) == ("ops", "rest", "place")
    assert OPS_TOKEN not in audit_path.read_text()
    trail = client.get("/ibkr/orders/audit?limit=5", headers=bearer(AGENT_TOKEN)).json()
    assert [e["caller"] for e in trail] == ["ops"]


def test_a_body_over_the_limit_is_413_before_anything_runs(broker, audit_path):
    app = full_app(broker, audit_path, max_request_body=2048)
    with TestClient(app) as client:
        big = {**ORDER, "symbol": "A" * 4096}
        response = client.post("/ibkr/orders/place", json=big)
        streamed = client.post(
            "/mcp/", content=iter([b"{" + b" " * 1500, b" " * 1500 + b"}"]),
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
    assert response.status_code == 413 and response.json()["code"] == "payload_too_large"
    assert streamed.status_code == 413
    assert broker.called("place_order") == [] and audit_lines(audit_path) == []


def test_audit_limit_is_bounded(client):
    for bad in ("0", "1001", "-1", "x"):
        response = client.get(f"/ibkr/orders/audit?limit={bad}", headers=bearer(OPS_TOKEN))
        assert response.status_code == 400, bad

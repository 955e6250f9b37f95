"""A web page on another site cannot use the service: Host and Origin checks, JSON-only bodies.

In the default set-up (loopback, no token) a browser page sent ``POST /ibkr/orders/place``
with ``Origin: http://attacker.example`` and ``Content-Type: text/plain`` (no CORS preflight
for that) and placed an order; a foreign ``Host`` (DNS rebinding) placed another. These run
against the whole service (``build_app``) over the fakes: nothing may reach the broker.

Litestar's test client connects as server ``testserver.local`` and sends that Host: a Host
naming the address the request arrived on is this service's (as on /mcp), so the tests need
no allowed-host of their own, and a foreign Host is still refused.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from litestar.testing import TestClient

from tests.fakes import FakeBroker
from tests.safety.apps import OPS_TOKEN, ORDER, TOKENS, bearer, full_app
from tests.safety.conftest import audit_lines
from tests.servers import serving

ATTACKER = "http://attacker.example"
CONSOLE = "https://console.example"
SAME_ORIGIN = "http://testserver.local"
TEXT = {"Content-Type": "text/plain"}
BROWSER_ORDER = json.dumps(ORDER)  # what a page posts as text/plain, no preflight


@pytest.fixture
def client(broker: FakeBroker, audit_path: Path):
    with TestClient(full_app(broker, audit_path)) as test_client:
        yield test_client


def assert_refused(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json() == {"error": response.json()["error"], "code": code, "status": status}
    assert response.headers["content-type"] == "application/json"


def assert_nothing_reached_ib(broker: FakeBroker, audit_path: Path) -> None:
    assert broker.calls == []
    assert audit_lines(audit_path) == []  # refused before the order desk, so not an order action


def test_the_browsers_text_plain_order_from_another_site_is_refused(client, broker, audit_path):
    for headers in ({"Origin": ATTACKER, **TEXT}, {"Origin": ATTACKER}, {"Origin": "null"}):
        response = client.post("/ibkr/orders/place", content=BROWSER_ORDER, headers=headers)
        assert_refused(response, 403, "forbidden_origin")
    assert_refused(client.post("/ibkr/orders/place", json=ORDER, headers={"Origin": ATTACKER}),
                   403, "forbidden_origin")  # fmt: skip
    assert_nothing_reached_ib(broker, audit_path)


def test_a_rebinding_host_is_refused_everywhere_but_the_liveness_probe(client, broker, audit_path):
    foreign = {"Host": "attacker.example:8000"}
    placed = client.post("/ibkr/orders/place", json=ORDER, headers=foreign)
    assert_refused(placed, 421, "misdirected_request")
    for path in ("/ibkr/account/summary", "/docs", "/docs/openapi.json", "/mcp/", "/no/such"):
        assert_refused(client.get(path, headers=foreign), 421, "misdirected_request")
    # Open for probes, which name the service as they like; it reads and changes nothing.
    assert client.get("/health/live", headers=foreign).status_code == 200
    assert_nothing_reached_ib(broker, audit_path)


def test_a_body_less_post_from_another_site_is_refused_too(client, broker):
    for path in ("/ibkr/connection/reconnect", "/gateway/restart"):
        assert_refused(client.post(path, headers={"Origin": ATTACKER}), 403, "forbidden_origin")
    assert broker.calls == []
    assert client.app.state["assembly"].runtime.called("restart") == []
    # Without a body no content type is needed: curl -X POST works as before.
    assert client.post("/ibkr/connection/reconnect").status_code == 200
    assert len(broker.called("reconnect")) == 1


def test_a_body_that_is_not_json_is_415_whoever_sends_it(client, broker, audit_path):
    for content_type in (None, "text/plain", "application/x-www-form-urlencoded",
                         "multipart/form-data; boundary=x", "application/json-seq", "json"):  # fmt: skip
        headers = {} if content_type is None else {"Content-Type": content_type}
        response = client.post("/ibkr/orders/place", content=BROWSER_ORDER, headers=headers)
        assert_refused(response, 415, "unsupported_media_type")
    text_to_mcp = client.post("/mcp/", content=b'{"jsonrpc": "2.0"}', headers=TEXT)
    assert_refused(text_to_mcp, 415, "unsupported_media_type")
    assert_nothing_reached_ib(broker, audit_path)


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8", "Application/JSON"]
)
def test_json_with_or_without_a_charset_passes(client, broker, content_type):
    response = client.post(
        "/ibkr/orders/place", content=BROWSER_ORDER, headers={"Content-Type": content_type}
    )
    assert response.status_code == 200, response.text
    assert len(broker.called("place_order")) == 1


def test_same_origin_pages_and_clients_without_origin_pass(client, broker):
    assert client.post("/ibkr/orders/place", json=ORDER).status_code == 200  # curl, SDKs
    same = client.post("/ibkr/orders/place", json=ORDER, headers={"Origin": SAME_ORIGIN})
    assert same.status_code == 200  # Swagger UI at /docs: the page is the service's own
    loopback = {"Host": "127.0.0.1:8000", "Origin": "http://127.0.0.1:8000"}
    assert client.post("/ibkr/orders/place", json=ORDER, headers=loopback).status_code == 200
    assert len(broker.called("place_order")) == 3
    assert "access-control-allow-origin" not in same.headers  # CORS is off


def test_mcp_answers_to_the_services_origin_rule_alone(client):
    # /mcp has no guard of its own in the service: the app-wide one refuses a foreign page
    # (with the service's error body, not FastMCP's plain text) and lets the same site in.
    initialize = {
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "page", "version": "0"}},
    }  # fmt: skip
    accept = {"Accept": "application/json, text/event-stream"}
    for origin in (ATTACKER, "http://localhost:3000"):
        refused = client.post("/mcp/", json=initialize, headers={**accept, "Origin": origin})
        assert_refused(refused, 403, "forbidden_origin")
    same = client.post("/mcp/", json=initialize, headers={**accept, "Origin": SAME_ORIGIN})
    assert same.status_code == 200, same.text
    assert same.json()["result"]["serverInfo"]["name"] == "ibkr-mcp"


def test_another_local_port_is_another_site(client, broker):
    # A page served by some other program on this machine (here a dev server on :3000).
    headers = {"Host": "127.0.0.1:8000", "Origin": "http://localhost:3000"}
    assert_refused(client.post("/ibkr/orders/place", json=ORDER, headers=headers),
                   403, "forbidden_origin")  # fmt: skip
    other_port = {"Host": "127.0.0.1:8000", "Origin": "http://127.0.0.1:8001"}
    assert_refused(client.post("/ibkr/orders/place", json=ORDER, headers=other_port),
                   403, "forbidden_origin")  # fmt: skip
    assert broker.calls == []


def test_without_allowed_origins_a_preflight_is_refused_and_no_cors_header_is_sent(client):
    preflight = client.options(
        "/ibkr/orders/place",
        headers={"Origin": CONSOLE, "Access-Control-Request-Method": "POST"},
    )
    assert_refused(preflight, 403, "forbidden_origin")
    assert "access-control-allow-origin" not in preflight.headers


def test_allowed_origins_pass_and_get_cors_with_tokens_on(broker, audit_path):
    app = full_app(broker, audit_path, token=TOKENS, allowed_origins=(CONSOLE,))
    with TestClient(app) as client:
        # Browsers send no credentials with a preflight: it is answered without a token.
        preflight = client.options(
            "/ibkr/orders/place",
            headers={
                "Origin": CONSOLE,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
            },
        )
        assert preflight.status_code == 204
        assert preflight.headers["access-control-allow-origin"] == CONSOLE
        assert "POST" in preflight.headers["access-control-allow-methods"]
        assert broker.calls == []
        unauthenticated = client.post("/ibkr/orders/place", json=ORDER, headers={"Origin": CONSOLE})
        assert unauthenticated.status_code == 401
        placed = client.post(
            "/ibkr/orders/place", json=ORDER, headers={"Origin": CONSOLE, **bearer(OPS_TOKEN)}
        )
        assert placed.status_code == 200, placed.text
        assert placed.headers["access-control-allow-origin"] == CONSOLE
        other = client.post(
            "/ibkr/orders/place", json=ORDER, headers={"Origin": ATTACKER, **bearer(OPS_TOKEN)}
        )
        assert_refused(other, 403, "forbidden_origin")
    assert len(broker.called("place_order")) == 1


def test_allowed_hosts_and_the_bound_host_are_served(broker, audit_path):
    app = full_app(
        broker, audit_path, token=TOKENS, host="10.1.2.3", allowed_hosts=("api.example.com",)
    )
    with TestClient(app) as client:
        for host in ("api.example.com", "API.example.com:8000", "10.1.2.3:8000", "localhost"):
            response = client.get(
                "/ibkr/account/summary", headers={"Host": host, **bearer(OPS_TOKEN)}
            )
            assert response.status_code == 200, host
        for host in ("evil.example.com", "api.example.com.evil.example", "10.1.2.4"):
            response = client.get(
                "/ibkr/account/summary", headers={"Host": host, **bearer(OPS_TOKEN)}
            )
            assert_refused(response, 421, "misdirected_request")


async def test_over_a_real_socket_the_browsers_requests_place_nothing(broker, audit_path):
    async with (
        serving(full_app(broker, audit_path), limit=10.0) as url,
        httpx.AsyncClient(base_url=url, timeout=10.0) as http,
    ):
        from_page = await http.post(
            "/ibkr/orders/place", content=BROWSER_ORDER, headers={"Origin": ATTACKER, **TEXT}
        )
        rebound = await http.post(
            "/ibkr/orders/place", json=ORDER, headers={"Host": "attacker.example:8000"}
        )
        text_plain = await http.post("/ibkr/orders/place", content=BROWSER_ORDER, headers=TEXT)
        assert_refused(from_page, 403, "forbidden_origin")
        assert_refused(rebound, 421, "misdirected_request")
        assert_refused(text_plain, 415, "unsupported_media_type")
        assert_nothing_reached_ib(broker, audit_path)
        # The same order, as a client that is no browser sends it, is placed.
        placed = await http.post("/ibkr/orders/place", json=ORDER)
    assert placed.status_code == 200, placed.text
    assert len(broker.called("place_order")) == 1

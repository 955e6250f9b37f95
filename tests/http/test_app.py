"""create_http_app: lifespans run around the app, mounts (the MCP app) answer under their path."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar
from litestar.handlers import asgi
from litestar.testing import TestClient

from application.container import build_services
from entrypoints.http.app import create_http_app
from tests.fakes import FakeBroker, FakeClock, FakeGateway


def test_lifespan_and_mounts() -> None:
    events: list[str] = []

    @asynccontextmanager
    async def lifespan(_app: Litestar) -> AsyncIterator[None]:
        events.append("start")
        yield
        events.append("stop")

    @asgi("/mcp", is_mount=True, copy_scope=True)
    async def mounted(scope: Any, receive: Any, send: Any) -> None:
        body = f"mounted {scope['path']}".encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/plain")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    services = build_services(FakeBroker(), FakeGateway(), FakeClock())
    app = create_http_app(services, lifespan=[lifespan], mounts=[mounted])
    with TestClient(app) as client:
        assert events == ["start"]
        assert client.get("/mcp/").text == "mounted /"
        assert client.get("/health/live").status_code == 200
        assert not any(
            path.startswith("/mcp") for path in client.get("/docs/openapi.json").json()["paths"]
        )
    assert events == ["start", "stop"]


def test_debug_flag_is_passed_through() -> None:
    services = build_services(FakeBroker(), FakeGateway(), FakeClock())
    assert create_http_app(services, debug=True).debug is True
    assert create_http_app(services).debug is False


def test_every_response_carries_a_request_id_and_a_sane_caller_id_is_echoed(client):
    fresh = client.get("/health/live")
    assert len(fresh.headers["x-request-id"]) >= 8
    echoed = client.get("/health/live", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"
    hostile = client.get("/health/live", headers={"X-Request-ID": "bad\\nid with spaces"})
    assert hostile.headers["x-request-id"] != "bad\\nid with spaces"

"""The outermost layer of the HTTP app: bearer-token authentication and the body size cap.

It wraps everything (REST, the MCP mount, /docs) so no route can forget it; only the liveness
probe is open. The name of the token a caller presented travels in the ASGI scope
(``caller_name``) for the audit trail; the token itself goes nowhere.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, cast

import msgspec
import structlog

from application.services.auth import TokenBook
from entrypoints.logging import printable

ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]
CALLER_KEY = "ibkr_mcp.caller"
OPEN_PATHS = frozenset({"/health/live"})
REALM = 'Bearer realm="ibkr-mcp"'
ANONYMOUS = "anonymous"

log = structlog.get_logger("ibkr_mcp.http")


def caller_name(scope: Mapping[str, Any]) -> str:
    """The name of the token the request presented ("anonymous" with authentication off)."""
    name = scope.get(CALLER_KEY)
    return name if isinstance(name, str) else ANONYMOUS


def access_guard(app: ASGIApp, *, tokens: TokenBook, max_body: int) -> ASGIApp:
    """``app`` behind authentication (when ``tokens`` has any) and a ``max_body`` byte cap."""

    async def guard(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            await app(scope, receive, send)
            return
        path = scope.get("path", "")
        if tokens.enabled and path not in OPEN_PATHS:
            presented = _bearer(scope)
            name = tokens.identify(presented) if presented else None
            if name is None:
                log.warning(
                    "http.unauthorized",
                    path=printable(path),
                    reason="wrong token" if presented else "no bearer token",
                )
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1008})
                    return
                await _unauthorized(send, wrong=presented is not None)
                return
            scope[CALLER_KEY] = name
        if scope["type"] == "http":
            body = await _read_body(scope, receive, max_body)
            if body is None:
                await _reply(send, 413, "payload_too_large",
                             f"The request body is larger than {max_body} bytes")  # fmt: skip
                return
            receive = _replay(body, receive)
        await app(scope, receive, send)

    return guard


def _bearer(scope: dict[str, Any]) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"authorization":
            text = cast(bytes, value).decode("latin-1")
            scheme, _, token = text.strip().partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
            return ""  # presented something, but not a bearer token: a wrong credential
    return None


async def _read_body(scope: dict[str, Any], receive: Any, limit: int) -> bytes | None:
    """The whole body, or None once it exceeds ``limit`` (checked before reading it too)."""
    for key, value in scope.get("headers", []):
        if key == b"content-length":
            try:
                if int(value) > limit:
                    return None
            except ValueError:
                pass
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)  # disconnected: the app will notice on its own
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Any) -> Any:
    sent = False

    async def replay() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return cast(dict[str, Any], await receive())

    return replay


async def _unauthorized(send: Any, *, wrong: bool) -> None:
    challenge = REALM + (', error="invalid_token"' if wrong else "")
    message = (
        "The bearer token is not valid"
        if wrong
        else "Authentication required: send 'Authorization: Bearer <token>'"
    )
    await _reply(send, 401, "unauthorized", message, ((b"www-authenticate", challenge.encode()),))


async def _reply(
    send: Any, status: int, code: str, message: str, headers: tuple[tuple[bytes, bytes], ...] = ()
) -> None:
    body = msgspec.json.encode({"error": message, "code": code, "status": status})
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})

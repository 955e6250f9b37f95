"""The outermost layer of the HTTP app: who may send what, before anything else runs.

It wraps everything (REST, the MCP mount, /docs, unknown paths) so no route can forget it, and
checks in this order:

1. the site (``entrypoints/http/site.py``): a Host this service does not serve answers 421
   (DNS rebinding), a foreign Origin 403 (a page on another site);
2. the bearer token, when tokens are configured (401);
3. the body: at most ``max_body`` bytes (413), JSON and only JSON when there is one (415), and
   not nested deeper than ``MAX_JSON_DEPTH`` (400).

Only the liveness probe (``GET /health/live``) skips the first two: it reads nothing and
changes nothing, and probes name the service by whatever Host they like. The documentation
(``GET /docs``, its assets, ``/docs/openapi.json``) skips only the token: it holds no secret and
no account data, and what the page calls needs the token like any other call. A body-less request
(``POST /ibkr/connection/reconnect``) needs no content type, but the site check refuses it from
a foreign page all the same. The name of the token a caller presented travels in the ASGI
scope (``caller_name``) for the audit trail; the token itself goes nowhere.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, NamedTuple, cast

import msgspec
import structlog

from application.services.auth import TokenBook
from entrypoints.http.body_rules import MAX_JSON_DEPTH, is_json, repeated_key, too_deep
from entrypoints.http.site import SitePolicy, header
from entrypoints.logging import printable

ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]
CALLER_KEY = "ibkr_mcp.caller"
OPEN_PATHS = frozenset({"/health/live"})
# The API's documentation (page, Swagger UI's files, the OpenAPI document): readable without a
# token, never without the site check. See entrypoints/http/docs.py for why.
DOCS_PREFIX = "/docs"
READ_METHODS = frozenset({"GET", "HEAD"})
REALM = 'Bearer realm="ibkr-mcp"'
ANONYMOUS = "anonymous"


class Refusal(NamedTuple):
    status: int
    code: str
    message: str
    field: str | None = None  # the part of the request at fault, as in every error body


MISDIRECTED = Refusal(
    421,
    "misdirected_request",
    "The Host header names a site this service does not serve (protection against DNS "
    "rebinding). If it is this service's name, the operator adds it with --allowed-hosts",
)
FOREIGN_ORIGIN = Refusal(
    403,
    "forbidden_origin",
    "Cross-site request refused: the Origin header names another site than this service. "
    "A page that should use the service is added by the operator with --allowed-origins",
)
NO_TOKEN = Refusal(
    401,
    "unauthorized",
    "Authentication required: send 'Authorization: Bearer <token>'",
)
WRONG_TOKEN = Refusal(401, "unauthorized", "The bearer token is not valid")
NOT_JSON = Refusal(
    415,
    "unsupported_media_type",
    "The request body must be JSON, sent with 'Content-Type: application/json'",
)

log = structlog.get_logger("ibkr_mcp.http")


def caller_name(scope: Mapping[str, Any]) -> str:
    """The name of the token the request presented ("anonymous" with authentication off)."""
    name = scope.get(CALLER_KEY)
    return name if isinstance(name, str) else ANONYMOUS


def access_guard(
    app: ASGIApp,
    *,
    tokens: TokenBook,
    max_body: int,
    site: SitePolicy | None = None,
    tokenless: frozenset[str] = frozenset(),
) -> ASGIApp:
    """``app`` behind the site check, authentication (when ``tokens`` has any) and the body
    rules (at most ``max_body`` bytes of JSON). ``GET`` on a path in ``tokenless`` (e.g.
    /metrics, when the operator opens it) needs no token, like the docs."""
    site = site or SitePolicy()

    async def guard(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            await app(scope, receive, send)
            return
        path = scope.get("path", "")
        if path not in OPEN_PATHS:
            refusal = await _site_refusal(scope, site)
            needs_token = not (_cors_preflight(scope, site) or _docs(scope, tokenless))
            if refusal is None and tokens.enabled and needs_token:
                refusal = _authenticate(scope, tokens)
            if refusal is not None:
                await _refuse(scope, send, refusal)
                return
        if scope["type"] == "http":
            body = await _read_body(scope, receive, max_body)
            refusal = _body_refusal(scope, body, max_body)
            if refusal is not None:
                await _refuse(scope, send, refusal)
                return
            receive = _replay(body or b"", receive)
        await app(scope, receive, send)

    return guard


async def _site_refusal(scope: dict[str, Any], site: SitePolicy) -> Refusal | None:
    host = header(scope, b"host") or ""
    if not await site.host_allowed(scope):
        log.warning("http.misdirected", host=printable(host), path=printable(scope["path"]))
        return MISDIRECTED
    origin = header(scope, b"origin")
    if origin is not None and not site.origin_allowed(scope, origin):
        log.warning(
            "http.cross_site_refused",
            origin=printable(origin),
            host=printable(host),
            method=scope.get("method"),
            path=printable(scope["path"]),
        )
        return FOREIGN_ORIGIN
    return None


def _docs(scope: dict[str, Any], tokenless: frozenset[str]) -> bool:
    path: str = scope.get("path", "")
    return scope.get("method") in READ_METHODS and (
        path == DOCS_PREFIX or path.startswith(DOCS_PREFIX + "/") or path in tokenless
    )


def _cors_preflight(scope: dict[str, Any], site: SitePolicy) -> bool:
    """A CORS preflight, which Litestar's CORS middleware answers without running a route.

    Browsers never send credentials with one, so it cannot carry the token.
    """
    return (
        site.cors is not None
        and scope.get("method") == "OPTIONS"
        and header(scope, b"origin") is not None
        and header(scope, b"access-control-request-method") is not None
    )


def _authenticate(scope: dict[str, Any], tokens: TokenBook) -> Refusal | None:
    presented = _bearer(scope)
    name = tokens.identify(presented) if presented else None
    if name is None:
        log.warning(
            "http.unauthorized",
            path=printable(scope["path"]),
            reason="wrong token" if presented else "no bearer token",
        )
        return WRONG_TOKEN if presented is not None else NO_TOKEN
    scope[CALLER_KEY] = name
    return None


def _body_refusal(scope: dict[str, Any], body: bytes | None, max_body: int) -> Refusal | None:
    if body is None:
        return Refusal(
            413, "payload_too_large", f"The request body is larger than {max_body} bytes"
        )
    if not body:
        return None
    if not is_json(header(scope, b"content-type")):
        return NOT_JSON
    if too_deep(body):
        return Refusal(
            400,
            "invalid_request",
            f"body: JSON nested deeper than {MAX_JSON_DEPTH} levels; no request needs that",
            field="body",
        )
    # A key given twice is read one way by one parser and another way by the next: refused
    # for every body, whatever the path (REST's decoder checks again, entrypoints/http/body.py;
    # FastMCP's would take the last value, and "//mcp/" reaches the MCP door as well).
    repeated = repeated_key(body)
    if repeated is not None:
        return Refusal(
            400, "invalid_request", f"body: the key {repeated!r} is given twice", field="body"
        )
    return None


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


async def _refuse(scope: dict[str, Any], send: Any, refusal: Refusal) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})  # policy violation
        return
    headers: tuple[tuple[bytes, bytes], ...] = ()
    if refusal in (NO_TOKEN, WRONG_TOKEN):
        challenge = REALM + (', error="invalid_token"' if refusal is WRONG_TOKEN else "")
        headers = ((b"www-authenticate", challenge.encode()),)
    # The one error shape (entrypoints/http/errors.py), built here: no route has run.
    error: dict[str, Any] = {"error": refusal.message, "code": refusal.code}
    if refusal.field is not None:
        error["field"] = refusal.field
    body = msgspec.json.encode({**error, "status": refusal.status})
    await send(
        {
            "type": "http.response.start",
            "status": refusal.status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})

"""The MCP front door over streamable HTTP, guarded against DNS rebinding: stateless JSON by
default, or with bounded sessions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastmcp import FastMCP
from fastmcp.server.http import StarletteWithLifespan, StreamableHTTPASGIApp
from starlette.applications import Starlette
from starlette.routing import Route

from entrypoints.mcp.watch import disable as disable_watches

DEFAULT_IDLE_TIMEOUT = 600.0
DEFAULT_MAX_SESSIONS = 100


def mcp_asgi_app(
    mcp: FastMCP,
    *,
    allowed_hosts: list[str],
    allowed_origins: list[str],
    stateful: bool = False,
    session_idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
    max_sessions: int = DEFAULT_MAX_SESSIONS,
    check_sites: bool = True,
) -> StarletteWithLifespan:
    """A Starlette app serving MCP at its root ("/"), to be mounted (e.g. at /mcp).

    Every request's Host must match ``allowed_hosts`` (patterns such as ``127.0.0.1:*``;
    loopback names are always allowed) or it is refused with 421; a request carrying an
    Origin header must match ``allowed_origins`` (or be same-origin) or it is refused with 403.

    Stateless (the default) answers every POST on its own, with a JSON body: the handshake era's
    ``initialize`` opens no session, so nothing is kept between requests and nothing is left
    behind by a client that vanishes; the 2026-07-28 protocol era is sessionless anyway. It
    rules out server-to-client requests (elicitation, sampling) and resource subscriptions:
    the ``resources.subscribe`` capability is then not advertised (cursor subscriptions, the
    open_subscription tools, work in every mode). ``stateful`` keeps a session per handshake-era client,
    answering in SSE: one with no request for ``session_idle_timeout`` seconds is closed (its
    id then answers 404 and the client opens a new one), one the client ends (DELETE) is
    forgotten at once, and while ``max_sessions`` are open a request to open another is refused
    with 503. Its ``lifespan`` runs the session manager and must join the parent app's
    lifespan.

    The Host and Origin checks are FastMCP's guard; ``check_sites=False`` leaves it out, for a
    parent app that checks both for every request before it gets here. The service's does
    (``entrypoints/http/guard.py``, the same Host rule and a stricter Origin rule over the same
    lists), so a second pass over the same headers would only cost every MCP call time.
    """
    app = mcp.http_app(
        path="/",
        transport="http",
        host_origin_protection=check_sites,
        allowed_hosts=list(allowed_hosts),
        allowed_origins=list(allowed_origins),
        stateless_http=not stateful,
        json_response=not stateful,
        session_idle_timeout=session_idle_timeout,
    )
    _cap_sessions(app, max_sessions)
    if not stateful:
        disable_watches(mcp)  # no session to notify: do not advertise resources.subscribe
    return app


def _cap_sessions(app: StarletteWithLifespan, max_sessions: int) -> None:
    """Set the MCP SDK's session limit, which fastmcp 4.2's ``http_app`` does not pass on.

    The SDK's ``StreamableHTTPSessionManager`` refuses a new session with 503 while
    ``max_sessions`` are open (it reads the attribute on every admission); fastmcp creates the
    manager when its lifespan starts, so the limit is set right after, before any request.
    """
    endpoint = next(
        (
            route.endpoint
            for route in app.routes
            if isinstance(route, Route) and isinstance(route.endpoint, StreamableHTTPASGIApp)
        ),
        None,
    )
    if endpoint is None:  # a fastmcp that builds its app otherwise: never run uncapped
        raise RuntimeError("cannot find fastmcp's streamable HTTP endpoint to cap MCP sessions")
    start = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(parent: Starlette) -> AsyncIterator[None]:
        async with start(parent):
            if endpoint.session_manager is None:
                raise RuntimeError("fastmcp's lifespan did not create the MCP session manager")
            endpoint.session_manager.max_sessions = max_sessions
            yield

    app.router.lifespan_context = lifespan

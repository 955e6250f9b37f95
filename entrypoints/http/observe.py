"""The REST door's hook: one access-log line and the request metrics for every HTTP request.

It sits outside the access guard, so refusals (401, 413, 421, ...) are logged and counted too,
and reads what the inner layers left in the ASGI scope: the route's operation id (Litestar
records the route handler there) and the caller's token name (the guard does). A request to
/mcp that carries a tool call names the tool as its operation and adds the call's outcome
("ok", or "error" for a tool error, which HTTP answers 200): the MCP door writes both into
the dict it finds under ``MCP_CALL_KEY`` (``entrypoints/mcp/middleware.py``), so over HTTP
one line tells of the request and its call.
"""

from __future__ import annotations

import time
from typing import Any

import structlog

from entrypoints.http.guard import ASGIApp, caller_name
from entrypoints.logging import printable
from entrypoints.metrics import ServiceMetrics

log = structlog.get_logger("ibkr_mcp.access")
UNROUTED = "none"  # no operation: refused before routing, unknown path, /docs, /metrics
# Requests to /mcp (streamable HTTP); the tool calls they carry are counted by the MCP door.
MCP_TRANSPORT = "mcp_transport"
# Where the MCP door leaves the tool call's "operation" and "outcome" for the access line;
# once the line is written the dict holds MCP_CALL_LOGGED, and a call still running then (a
# session's call whose client went away) is logged on a line of its own.
MCP_CALL_KEY = "ibkr_mcp.mcp_call"
MCP_CALL_LOGGED = "logged"


def observed(app: ASGIApp, metrics: ServiceMetrics) -> ASGIApp:
    async def observe(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        start = time.perf_counter()
        path = scope.get("path") or ""  # as asked: a mount (/mcp) rewrites the scope's own
        status = 500  # what the server answers if the app fails before a response starts
        call: dict[str, str] = {}
        scope[MCP_CALL_KEY] = call  # the mount's copy of the scope shares the dict

        async def send_status(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await app(scope, receive, send_status)
        finally:
            seconds = time.perf_counter() - start
            operation = _operation(scope, path)
            metrics.observe("rest", operation, str(status), seconds)
            told = dict(call)
            call[MCP_CALL_LOGGED] = "yes"
            log.info(
                "http.request",
                method=scope.get("method"),
                path=printable(path),
                status=status,
                duration_ms=round(seconds * 1000, 2),
                caller=caller_name(scope),
                operation=told.pop("operation", operation),
                **told,
            )

    return observe


def _operation(scope: dict[str, Any], path: str) -> str:
    handler = scope.get("route_handler")
    operation = getattr(handler, "operation_id", None)
    if isinstance(operation, str):
        return operation
    if path == "/mcp" or path.startswith("/mcp/"):
        return MCP_TRANSPORT
    return UNROUTED

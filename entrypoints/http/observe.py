"""The REST door's hook: one access-log line and the request metrics for every HTTP request.

It sits outside the access guard, so refusals (401, 413, 421, ...) are logged and counted too,
and reads what the inner layers left in the ASGI scope: the route's operation id (Litestar
records the route handler there) and the caller's token name (the guard does).
"""

from __future__ import annotations

import time
from typing import Any

import structlog

from entrypoints.http.guard import ASGIApp, caller_name
from entrypoints.logging import open_operation_note, printable
from entrypoints.metrics import ServiceMetrics

log = structlog.get_logger("ibkr_mcp.access")
UNROUTED = "none"  # no operation: refused before routing, unknown path, /docs, /metrics
# Requests to /mcp (streamable HTTP); the tool calls they carry are counted by the MCP door
# (and a tool call's access line names its tool).
MCP_TRANSPORT = "mcp_transport"


def observed(app: ASGIApp, metrics: ServiceMetrics) -> ASGIApp:
    async def observe(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        start = time.perf_counter()
        # Read before the app runs: routing to a mount (/mcp) rewrites the scope's path.
        path = scope.get("path") or ""
        method = scope.get("method")
        note = open_operation_note(scope)
        status = 500  # what the server answers if the app fails before a response starts

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
            log.info(
                "http.request",
                method=method,
                path=printable(path),
                status=status,
                duration_ms=round(seconds * 1000, 2),
                caller=caller_name(scope),
                # A POST /mcp that called a tool names the tool; the metrics keep the transport.
                operation=note[0] if note else operation,
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

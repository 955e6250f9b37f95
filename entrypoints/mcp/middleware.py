"""The MCP door's one FastMCP middleware: what happens around every tool call.

One middleware, not one per concern: each layer of FastMCP's middleware chain costs every
call several coroutine frames, and the three concerns here are one pass around the call.
"""

from __future__ import annotations

import logging
import time
from collections.abc import MutableMapping
from typing import Any

import mcp.types as mt
import structlog
from fastmcp.exceptions import NotFoundError, ToolError
from fastmcp.server.dependencies import get_http_request
from fastmcp.server.middleware import CallNext, Middleware, MiddlewareContext
from fastmcp.tools import ToolResult

from entrypoints.http.observe import MCP_CALL_KEY, MCP_CALL_LOGGED
from entrypoints.logging import REDACTOR
from entrypoints.metrics import ServiceMetrics

log = structlog.get_logger("ibkr_mcp.mcp")


class ToolCalls(Middleware):
    """Around every tool call, from the outside in:

    - every tool error passes the service's redactor, whichever part of the server raised it
      (a domain error, an argument error echoing its input, FastMCP itself);
    - a call to an operation of the catalog this server leaves out (another toolset, a
      read-only service) is refused with the reason in ``not_offered``, not with FastMCP's
      bare "Unknown tool";
    - with ``metrics``, every other call is counted and timed (``ibkr_mcp_requests`` with door
      ``mcp``) and logged: over HTTP on the request's access line (``http.request`` with the
      tool as its operation and the call's outcome, ``entrypoints/http/observe.py``), without
      one (stdio, an in-process client) as one ``mcp.tool_call`` line. A call refused as not
      offered is logged the same way with outcome ``refused``, and not counted.
    """

    def __init__(
        self,
        not_offered: dict[str, str],
        metrics: ServiceMetrics | None = None,
        tools: frozenset[str] = frozenset(),
    ) -> None:
        self._reasons = not_offered
        self._metrics = metrics
        self._tools = tools

    async def on_call_tool(
        self,
        context: MiddlewareContext[mt.CallToolRequestParams],
        call_next: CallNext[mt.CallToolRequestParams, ToolResult],
    ) -> ToolResult:
        try:
            reason = self._reasons.get(context.message.name)
            if reason is not None:
                if self._metrics is not None:  # logged, not counted: no tool ran
                    _tell(context.message.name, "refused")  # a catalog name: bounded
                raise ToolError(
                    f"tool_not_offered: {context.message.name} is not offered by this "
                    f"server: {reason}.",
                    log_level=logging.INFO,
                )
            if self._metrics is None:
                return await call_next(context)
            return await self._observed(context, call_next, self._metrics)
        except (ToolError, NotFoundError) as exc:
            text = str(exc)
            clean = REDACTOR.known.text(text)
            if clean == text:
                raise
            # A ToolError either way: FastMCP answers an unknown tool ("Unknown tool: <name>")
            # with the name as sent, whatever the NotFoundError says; a ToolError it sends as is.
            level = exc.log_level if isinstance(exc, ToolError) else logging.INFO
            raise ToolError(clean, log_level=level) from None

    async def _observed(
        self,
        context: MiddlewareContext[mt.CallToolRequestParams],
        call_next: CallNext[mt.CallToolRequestParams, ToolResult],
        metrics: ServiceMetrics,
    ) -> ToolResult:
        start = time.perf_counter()
        outcome = "error"
        try:
            result = await call_next(context)
            outcome = "ok"
            return result
        finally:
            seconds = time.perf_counter() - start
            # Labels stay bounded: a name the server does not offer is counted as "unknown".
            name = context.message.name if context.message.name in self._tools else "unknown"
            metrics.observe("mcp", name, outcome, seconds)
            _tell(name, outcome, seconds)


def _tell(tool: str, outcome: str, seconds: float = 0.0) -> None:
    """Log a tool call: on its request's access line when there is one still to be written,
    else as an ``mcp.tool_call`` line of its own."""
    access = _access_line()
    if access is not None and MCP_CALL_LOGGED not in access:
        access["operation"] = tool
        access["outcome"] = outcome
    else:
        log.info("mcp.tool_call", tool=tool, outcome=outcome, duration_ms=round(seconds * 1000, 2))


def _access_line() -> MutableMapping[str, Any] | None:
    """What the access line of the HTTP request carrying this call will add, when the call
    came over HTTP through the service's app (a request of its own in every transport mode:
    FastMCP hands the tool each message's own request, sessions or not). With sessions, a
    call runs in the session's task and may outlast its request (the client went away):
    its line is written by then, and the call gets an ``mcp.tool_call`` line instead."""
    try:
        scope = get_http_request().scope
    except RuntimeError:  # no HTTP request: stdio, or an in-process client
        return None
    access = scope.get(MCP_CALL_KEY)
    return access if isinstance(access, dict) else None

"""Tool errors as an agent reads them: never a configured secret in any of them."""

from __future__ import annotations

import logging
import time

import mcp.types as mt
import structlog
from fastmcp.exceptions import NotFoundError, ToolError
from fastmcp.server.dependencies import get_http_request
from fastmcp.server.middleware import CallNext, Middleware, MiddlewareContext
from fastmcp.tools import ToolResult

from entrypoints.logging import REDACTOR, name_operation
from entrypoints.metrics import ServiceMetrics

log = structlog.get_logger("ibkr_mcp.mcp")


class RedactedErrors(Middleware):
    """Every tool error passes the service's redactor, whichever part of the server raised it
    (a domain error, an argument error echoing its input, FastMCP itself)."""

    async def on_call_tool(
        self,
        context: MiddlewareContext[mt.CallToolRequestParams],
        call_next: CallNext[mt.CallToolRequestParams, ToolResult],
    ) -> ToolResult:
        try:
            return await call_next(context)
        except (ToolError, NotFoundError) as exc:
            text = str(exc)
            clean = REDACTOR.known.text(text)
            if clean == text:
                raise
            # A ToolError either way: FastMCP answers an unknown tool ("Unknown tool: <name>")
            # with the name as sent, whatever the NotFoundError says; a ToolError it sends as is.
            level = exc.log_level if isinstance(exc, ToolError) else logging.INFO
            raise ToolError(clean, log_level=level) from None


class NotOffered(Middleware):
    """A call to an operation of the catalog this server leaves out (another toolset, a
    read-only service) is refused with the reason, not with FastMCP's bare "Unknown tool"."""

    def __init__(self, reasons: dict[str, str]) -> None:
        self._reasons = reasons

    async def on_call_tool(
        self,
        context: MiddlewareContext[mt.CallToolRequestParams],
        call_next: CallNext[mt.CallToolRequestParams, ToolResult],
    ) -> ToolResult:
        reason = self._reasons.get(context.message.name)
        if reason is not None:
            raise ToolError(
                f"tool_not_offered: {context.message.name} is not offered by this server: "
                f"{reason}.",
                log_level=logging.INFO,
            )
        return await call_next(context)


class Observed(Middleware):
    """The MCP door's hook: every tool call is counted and timed (``ibkr_mcp_requests`` with
    door ``mcp``) and logged as one ``mcp.tool_call`` line, over HTTP and stdio alike."""

    def __init__(self, metrics: ServiceMetrics, tools: frozenset[str]) -> None:
        self._metrics = metrics
        self._tools = tools

    async def on_call_tool(
        self,
        context: MiddlewareContext[mt.CallToolRequestParams],
        call_next: CallNext[mt.CallToolRequestParams, ToolResult],
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
            self._metrics.observe("mcp", name, outcome, seconds)
            _name_http_operation(name)
            log.info(
                "mcp.tool_call",
                tool=name,
                outcome=outcome,
                duration_ms=round(seconds * 1000, 2),
            )


def _name_http_operation(tool: str) -> None:
    """Over HTTP, the access-log line of the POST that carried the call names the tool."""
    try:
        request = get_http_request()
    except RuntimeError:  # stdio: no HTTP request, no access log
        return
    name_operation(request.scope, tool)

"""Tool errors as an agent reads them: never a configured secret in any of them."""

from __future__ import annotations

import logging

import mcp.types as mt
from fastmcp.exceptions import NotFoundError, ToolError
from fastmcp.server.middleware import CallNext, Middleware, MiddlewareContext
from fastmcp.tools import ToolResult

from entrypoints.logging import REDACTOR


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

"""Tool errors as an agent reads them: argument errors in the same voice as domain errors
(field, problem, what was sent), and never a configured secret in any of them."""

from __future__ import annotations

import logging
from typing import Any

import mcp.types as mt
from fastmcp.exceptions import NotFoundError, ToolError, ValidationError
from fastmcp.server.middleware import CallNext, Middleware, MiddlewareContext
from fastmcp.tools import ToolResult
from pydantic import ValidationError as PydanticValidationError

from entrypoints.logging import REDACTOR

MAX_SHOWN_INPUT = 60
# Patterns read badly as regexes; say the format in words instead.
FORMATS = {
    "duration": "'<integer> <unit>' with unit S, D, W, M or Y, e.g. '1 D', '3600 S', '6 M'",
    "last_trade_date_or_contract_month": "YYYYMMDD, or YYYYMM for a contract month",
    "expirations": "YYYYMMDD",
    "client_order_id": "1-40 letters, digits and . _ : -",
}


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


class ArgumentErrors(Middleware):
    """Turn pydantic's multi-line report (with a docs URL) into one line per bad argument."""

    async def on_call_tool(
        self,
        context: MiddlewareContext[mt.CallToolRequestParams],
        call_next: CallNext[mt.CallToolRequestParams, ToolResult],
    ) -> ToolResult:
        try:
            return await call_next(context)
        except ValidationError as exc:
            cause = exc.__cause__
            if not isinstance(cause, PydanticValidationError):
                raise
            raise ToolError(describe(cause), log_level=logging.INFO) from None


def describe(error: PydanticValidationError) -> str:
    problems = [_problem(item) for item in error.errors(include_url=False)]
    return (
        f"invalid_request: {'; '.join(problems)}. "
        "Correct the argument(s) (see the tool's input schema) and call again."
    )


def _problem(item: Any) -> str:
    where = ".".join(str(part) for part in item["loc"]) or "arguments"
    message = item["msg"]
    if item["type"] == "missing":
        return f"{where}: required"
    if item["type"] == "string_pattern_mismatch":
        names = [part for part in item["loc"] if isinstance(part, str)]
        if names and names[-1] in FORMATS:
            message = f"must be {FORMATS[names[-1]]}"
    # Redacted before it is cut short: a cut secret would no longer be recognised.
    given = repr(REDACTOR.known(item.get("input")))
    if len(given) > MAX_SHOWN_INPUT:
        given = given[:MAX_SHOWN_INPUT] + "..."
    return f"{where}: {message} (got {given})"

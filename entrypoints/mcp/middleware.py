"""Argument errors in the same voice as domain errors: field, problem, what was sent."""

from __future__ import annotations

import logging
from typing import Any

import mcp.types as mt
from fastmcp.exceptions import ToolError, ValidationError
from fastmcp.server.middleware import CallNext, Middleware, MiddlewareContext
from fastmcp.tools import ToolResult
from pydantic import ValidationError as PydanticValidationError

MAX_SHOWN_INPUT = 60
# Patterns read badly as regexes; say the format in words instead.
FORMATS = {
    "duration": "'<integer> <unit>' with unit S, D, W, M or Y, e.g. '1 D', '3600 S', '6 M'",
    "last_trade_date_or_contract_month": "YYYYMMDD, or YYYYMM for a contract month",
    "expirations": "YYYYMMDD",
    "client_order_id": "1-40 letters, digits and . _ : -",
}


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
    given = repr(item.get("input"))
    if len(given) > MAX_SHOWN_INPUT:
        given = given[:MAX_SHOWN_INPUT] + "..."
    return f"{where}: {message} (got {given})"

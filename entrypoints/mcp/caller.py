"""Who is calling a tool: the token name from the HTTP request, or the local stdio user."""

from __future__ import annotations

from fastmcp.server.dependencies import get_http_request

from domain.safety import Caller
from entrypoints.http.guard import caller_name

STDIO = Caller(name="stdio", transport="stdio")


def mcp_caller() -> Caller:
    """The caller of the tool being run (over HTTP: the name of the token it presented)."""
    try:
        request = get_http_request()
    except RuntimeError:  # no HTTP request: stdio, or an in-process client
        return STDIO
    return Caller(name=caller_name(request.scope), transport="mcp")


def request_caller(request: object) -> str:
    """The caller's name from an MCP request context's transport request: the token name
    over HTTP, "stdio" without one."""
    scope = getattr(request, "scope", None)
    return caller_name(scope) if isinstance(scope, dict) else STDIO.name

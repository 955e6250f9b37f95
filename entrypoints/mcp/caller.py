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

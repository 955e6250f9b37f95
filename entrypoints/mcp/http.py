"""The MCP front door over streamable HTTP, guarded against DNS rebinding."""

from __future__ import annotations

from fastmcp import FastMCP
from fastmcp.server.http import StarletteWithLifespan


def mcp_asgi_app(
    mcp: FastMCP, *, allowed_hosts: list[str], allowed_origins: list[str]
) -> StarletteWithLifespan:
    """A Starlette app serving MCP at its root ("/"), to be mounted (e.g. at /mcp).

    Every request's Host must match ``allowed_hosts`` (patterns such as ``127.0.0.1:*``;
    loopback names are always allowed) or it is refused with 421; a request carrying an
    Origin header must match ``allowed_origins`` (or be same-origin) or it is refused with 403.
    Its ``lifespan`` runs the session manager and must join the parent app's lifespan. The
    service also checks Host and Origin around its whole app (``entrypoints/http/site.py``),
    more strictly for origins, before a request gets here.
    """
    return mcp.http_app(
        path="/",
        transport="http",
        host_origin_protection=True,
        allowed_hosts=list(allowed_hosts),
        allowed_origins=list(allowed_origins),
    )

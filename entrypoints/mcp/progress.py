"""MCP progress notifications for the catalog's ``Call.progress``: only when the caller's
request carries a ``progressToken`` in its ``_meta`` (FastMCP's ``Context.report_progress``)."""

from __future__ import annotations

from fastmcp.server.dependencies import get_context

from entrypoints.catalog.operation import Progress


def mcp_progress() -> Progress | None:
    try:
        ctx = get_context()
    except RuntimeError:
        return None
    request = ctx.request_context
    meta = getattr(request, "meta", None) if request is not None else None
    if not isinstance(meta, dict) or meta.get("progressToken") is None:
        return None

    async def report(progress: float, total: float | None, message: str) -> None:
        await ctx.report_progress(progress, total, message)

    return report

"""Finding the tool a call names by its name, in a dict.

FastMCP finds a called tool by asking each of the server's providers at once (a task group,
one task per provider: here one) and its local provider by scanning every component it holds.
Both are for servers whose providers come and go; this one's tools are fixed when it is built
(``build_mcp``), so a FastMCP transform answers from a dict. It sits where FastMCP's own
transforms do: what FastMCP does with the tool found (enabled, authorised, session
transforms) happens as before, and a call naming a version goes the usual way.

FastMCP forgets the input schemas it keeps for checking ``Mcp-Param-*`` headers when a
transform is added, until the next ``tools/list``. No tool here declares a header parameter
(``x-mcp-header``; tests/mcp/test_tool_calls.py holds to that), so there is nothing to check.
"""

from __future__ import annotations

from collections.abc import Iterable

from fastmcp.server.transforms import GetToolNext, Transform
from fastmcp.tools import Tool
from fastmcp.utilities.versions import VersionSpec


class ToolIndex(Transform):
    """The server's tools by name (one version each, as the catalog has them)."""

    def __init__(self, tools: Iterable[Tool]) -> None:
        self._tools = {tool.name: tool for tool in tools}

    async def get_tool(
        self, name: str, call_next: GetToolNext, *, version: VersionSpec | None = None
    ) -> Tool | None:
        tool = self._tools.get(name) if version is None else None
        return tool if tool is not None else await call_next(name, version=version)

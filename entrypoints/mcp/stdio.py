"""The MCP front door over stdio: stdout carries the protocol and nothing else."""

from __future__ import annotations

from fastmcp import FastMCP


async def run_stdio(mcp: FastMCP) -> None:
    """Serve ``mcp`` on stdin/stdout until the client closes stdin.

    No banner (it would be noise for the client); logging is the caller's to configure, and
    must go to stderr. Nothing in entrypoints/mcp prints.
    """
    await mcp.run_stdio_async(show_banner=False)

"""The service's own version, as installed (REST's OpenAPI ``info.version``, MCP's serverInfo)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def package_version() -> str:
    try:
        return version("ibkr-mcp")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "0.0.0"

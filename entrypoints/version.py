"""The service's own version, as installed (REST's OpenAPI ``info.version``, MCP's serverInfo,
``ibkr-mcp --version``)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

# The distribution on PyPI (the name ibkr-mcp is another project's); the command is ibkr-mcp.
DISTRIBUTION = "ibkr-mcp-gateway"


def package_version() -> str:
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "0.0.0"

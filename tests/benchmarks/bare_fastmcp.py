"""The MCP floor: a bare FastMCP app under uvicorn, nothing of ours but a domain struct.

One tool, ``get_connection_status``, returns the same ``ConnectionStatus`` the service's tool
returns (the JSON given with ``--status-file``, decoded once), served as the service serves
MCP by default: streamable HTTP at ``/mcp/``, stateless, JSON answers. What the service turns
off is off here too, so that the floor is FastMCP's own work, not its defaults: no
OpenTelemetry spans (``propagation_only``), no logging of its own, no Host/Origin check
(the service checks both in its own guard, which it pays for). Otherwise FastMCP as a user of
the library would start it: a tool returning a dict. ``GET /health`` answers 200 once it
serves. Started by ``startup_and_calls.py``.

    python tests/benchmarks/bare_fastmcp.py --port 8002 --status-file status.json
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

import msgspec
import uvicorn

# Read by FastMCP at import: the settings the service gives it (entrypoints/logging.py).
os.environ.update(FASTMCP_TELEMETRY_MODE="propagation_only", FASTMCP_LOG_ENABLED="false")

from fastmcp import FastMCP
from starlette.requests import Request
from starlette.responses import JSONResponse

from domain.connection import ConnectionStatus


def build(status: ConnectionStatus) -> Any:
    mcp = FastMCP("bare")

    @mcp.tool
    def get_connection_status() -> dict[str, Any]:
        """The connection's status."""
        return msgspec.to_builtins(status)  # type: ignore[no-any-return]

    @mcp.custom_route("/health", methods=["GET"])
    async def health(_request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    return mcp.http_app(
        path="/mcp/", stateless_http=True, json_response=True, host_origin_protection=False
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--status-file", type=Path, required=True)
    args = parser.parse_args()
    status = msgspec.json.decode(args.status_file.read_bytes(), type=ConnectionStatus)
    uvicorn.run(build(status), host="127.0.0.1", port=args.port, log_config=None, access_log=False)


if __name__ == "__main__":
    main()

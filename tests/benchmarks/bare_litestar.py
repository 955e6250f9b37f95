"""The framework floor: a bare Litestar app under uvicorn, nothing of ours but a domain struct.

``GET /health`` answers 200 once it serves; ``GET /status`` returns the same
``ConnectionStatus`` struct the service's ``GET /ibkr/connection/status`` returns (the JSON
given with ``--status-file``, decoded once). Started by ``startup_and_calls.py``.

    python tests/benchmarks/bare_litestar.py --port 8001 [--status-file status.json]
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import uvicorn
from litestar import Litestar, get

from domain.connection import ConnectionStatus


class Health(msgspec.Struct, frozen=True):
    status: str


def build(status: ConnectionStatus) -> Litestar:
    @get("/health", sync_to_thread=False)
    def health() -> Health:
        return Health(status="ok")

    @get("/status", sync_to_thread=False)
    def connection_status() -> ConnectionStatus:
        return status

    return Litestar([health, connection_status], logging_config=None)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--status-file", type=Path)
    args = parser.parse_args()
    if args.status_file is not None:
        status = msgspec.json.decode(args.status_file.read_bytes(), type=ConnectionStatus)
    else:
        now = datetime.now(UTC)
        status = ConnectionStatus(
            connected=True,
            client_id=17,
            server_version="178",
            connection_time=now,
            connection_status="Connected",
            connection_status_message="TWS Connection OK",
            state="connected",
            state_since=now,
        )
    uvicorn.run(build(status), host="127.0.0.1", port=args.port, log_config=None, access_log=False)


if __name__ == "__main__":
    main()

"""The whole service (REST, /mcp, /docs behind the guard) built by build_app on the fakes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Litestar

from adapters.audit.jsonl import JsonlAuditLog
from entrypoints.bootstrap import build_app
from entrypoints.settings import Secret, settings_from_env
from tests.fakes import FakeBroker, FakeClock, FakeGateway

OPS_TOKEN = "ops-token-0123456789abcdef"
AGENT_TOKEN = "agent-token-fedcba9876543210"
TOKENS = f"ops:{OPS_TOKEN},claude:{AGENT_TOKEN}"
ORDER = {"contract_id": 265598, "action": "BUY", "quantity": 10, "order_type": "MKT"}


def full_app(
    broker: FakeBroker, audit_path: Path, clock: FakeClock | None = None, **settings: Any
) -> Litestar:
    """``build_app`` over the fakes; ``token=`` a ``name:token`` string turns authentication on."""
    if isinstance(settings.get("token"), str):
        settings["token"] = Secret(settings["token"])
    gateway = FakeGateway()
    gateway.running = True
    # The order journal next to the audit file: never the user's own state directory.
    settings.setdefault("journal_dsn", f"sqlite:///{audit_path.with_suffix('.journal.sqlite3')}")
    return build_app(
        settings_from_env({}, monitor_enabled=False, audit_file=audit_path, **settings),
        broker=broker,
        gateway=gateway,
        clock=clock or FakeClock(),
        audit=JsonlAuditLog(audit_path),
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}

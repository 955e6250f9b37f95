"""The IB Gateway process or container this service talks to."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

GatewayKind = Literal["simulated", "docker", "external"]
GatewayPhase = Literal[
    "stopped", "pulling", "starting", "waiting_for_login", "ready", "failed", "unknown"
]


class GatewayStatus(msgspec.Struct, frozen=True, kw_only=True):
    status: str  # running, stopped, missing, unreachable, ...
    container_id: str | None = None
    started_at: datetime | None = None
    kind: GatewayKind = "simulated"
    phase: GatewayPhase = "unknown"
    image: str | None = None
    flavor: str | None = None
    mode: str | None = None  # paper or live
    api_host: str | None = None
    api_port: int | None = None
    ports: dict[str, int] = msgspec.field(default_factory=dict)
    restart_count: int = 0
    message: str | None = None


class GatewayLogs(msgspec.Struct, frozen=True, kw_only=True):
    tail: int
    lines: list[str]
    container_id: str | None = None


class GatewayRestartResult(msgspec.Struct, frozen=True, kw_only=True):
    success: bool
    message: str
    timestamp: datetime
    restart_count: int

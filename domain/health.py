"""Liveness and readiness of the service as a whole."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec


class HealthCheck(msgspec.Struct, frozen=True, kw_only=True):
    ok: bool
    detail: str


class HealthReport(msgspec.Struct, frozen=True, kw_only=True):
    status: Literal["ok", "degraded", "failing"]
    live: bool
    ready: bool
    checks: dict[str, HealthCheck]
    timestamp: datetime

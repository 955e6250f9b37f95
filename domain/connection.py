"""The broker connection's health, as the supervisor sees it."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

ConnectionState = Literal["connecting", "connected", "degraded", "disconnected"]


class ConnectionStatus(msgspec.Struct, frozen=True, kw_only=True):
    connected: bool
    client_id: int
    server_version: str | None
    connection_time: datetime | None
    connection_status: str
    connection_status_message: str
    state: ConnectionState
    state_since: datetime
    last_error: str | None = None
    host: str | None = None
    port: int | None = None


class ReconnectResult(msgspec.Struct, frozen=True, kw_only=True):
    success: bool
    message: str
    timestamp: datetime

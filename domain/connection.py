"""The broker connection's health, as the supervisor sees it."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

ConnectionState = Literal["connecting", "connected", "degraded", "disconnected"]
FarmKind = Literal["market_data", "historical", "sec_def"]


class DataFarm(msgspec.Struct, frozen=True, kw_only=True):
    """One of IB's data farms as the gateway last reported it (notices 2103-2108, 2157/2158)."""

    name: str
    kind: FarmKind
    ok: bool
    code: int
    message: str
    since: datetime


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
    data_farms: tuple[DataFarm, ...] = ()

    @property
    def broken_market_data_farms(self) -> tuple[DataFarm, ...]:
        return tuple(f for f in self.data_farms if f.kind == "market_data" and not f.ok)


class ReconnectResult(msgspec.Struct, frozen=True, kw_only=True):
    success: bool
    message: str
    timestamp: datetime

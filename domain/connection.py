"""The broker connection's health, as the supervisor sees it."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

ConnectionState = Literal["connecting", "connected", "degraded", "disconnected"]
FarmKind = Literal["market_data", "historical", "sec_def"]
_FARM_WORDS: dict[str, str] = {
    "market_data": "market data farm",
    "historical": "historical data farm",
    "sec_def": "security definition farm",
}


class DataFarm(msgspec.Struct, frozen=True, kw_only=True):
    """One of IB's data farms as the gateway last reported it (notices 2103-2108, 2157/2158)."""

    name: str
    kind: FarmKind
    ok: bool
    code: int
    message: str
    since: datetime

    def describe(self) -> str:
        """E.g. ``market data farm usfarm broken (IB 2103 since 2026-11-26T14:02:07+00:00)``."""
        state = "OK" if self.ok else "broken"
        stamp = self.since.isoformat(timespec="seconds")
        return f"{_FARM_WORDS[self.kind]} {self.name} {state} (IB {self.code} since {stamp})"


class IbNotice(msgspec.Struct, frozen=True, kw_only=True):
    """A notice IB sent about the whole session, e.g. 1100: the gateway lost IB's servers."""

    code: int
    message: str
    since: datetime

    def describe(self) -> str:
        stamp = self.since.isoformat(timespec="seconds")
        return f"IB {self.code} since {stamp}: {self.message}"


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
    # Set while IB reports that the gateway has lost its connection to IB's servers (1100):
    # the socket to the gateway is up, but nothing reaches IB until 1101/1102.
    connectivity_lost: IbNotice | None = None

    @property
    def broken_market_data_farms(self) -> tuple[DataFarm, ...]:
        return tuple(f for f in self.data_farms if f.kind == "market_data" and not f.ok)

    @property
    def broken_data_farms(self) -> tuple[DataFarm, ...]:
        return tuple(f for f in self.data_farms if not f.ok)

    def outages(self) -> list[str]:
        """What IB itself reports as down right now, each naming IB's code and since when."""
        found = []
        if self.connectivity_lost is not None:
            found.append(f"connection to IB lost ({self.connectivity_lost.describe()})")
        found.extend(farm.describe() for farm in self.broken_data_farms)
        return found


class ReconnectResult(msgspec.Struct, frozen=True, kw_only=True):
    success: bool
    message: str
    timestamp: datetime

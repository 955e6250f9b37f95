"""The connection's state as the outside sees it: what, since when, why; every change logged."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime

import structlog

from application.ports import Clock
from domain.connection import ConnectionState, ConnectionStatus, DataFarm, IbNotice

log = structlog.get_logger("ibkr_mcp.ib.supervisor")

_STATUS_WORDS = {
    "connected": "Connected",
    "degraded": "Degraded",
    "connecting": "Connecting",
    "disconnected": "Disconnected",
}


class SessionRecord:
    def __init__(self, clock: Clock, client_id: int, host: str, port: int) -> None:
        self._clock = clock
        self.client_id = client_id
        self.host, self.port = host, port
        self.state: ConnectionState = "disconnected"
        self.since: datetime = clock.now()
        self.last_error: str | None = None
        self.message = "Not connected yet"
        self.connected_at: datetime | None = None
        # IB's 1100 while it holds (the state is "degraded" then); None otherwise.
        self.lost_notice: IbNotice | None = None
        self._changed = asyncio.Event()  # pulsed (set, then replaced) on every change

    def set(self, state: ConnectionState, message: str | None = None) -> None:
        if message is not None:
            self.message = message
        if state == self.state:
            return
        previous, self.state = self.state, state
        self.since = self._clock.now()
        if state == "connected" and previous in ("connecting", "disconnected"):
            self.connected_at = self.since
        log.info(
            "ib.connection_state",
            state=state,
            previous=previous,
            host=self.host,
            port=self.port,
            client_id=self.client_id,
            message=self.message,
            last_error=self.last_error,
        )
        self.pulse()

    def pulse(self) -> None:
        """Wake everyone waiting in ``until``."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def until(self, condition: Callable[[], bool], limit: float) -> bool:
        """Wait (at most ``limit`` s) until ``condition()`` holds after some change."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(limit):
                while not condition():
                    await self._changed.wait()
        return condition()

    def status(
        self,
        *,
        connected: bool,
        server_version: str | None,
        data_farms: tuple[DataFarm, ...] = (),
    ) -> ConnectionStatus:
        return ConnectionStatus(
            connected=connected,
            client_id=self.client_id,
            server_version=server_version if connected else None,
            connection_time=self.connected_at if connected else None,
            connection_status=_STATUS_WORDS[self.state],
            connection_status_message=self.message,
            state=self.state,
            state_since=self.since,
            last_error=self.last_error,
            host=self.host,
            port=self.port,
            data_farms=data_farms if connected else (),
            connectivity_lost=self.lost_notice if connected else None,
        )

    def why_not(self) -> str:
        text = f"Not connected to the IB Gateway at {self.host}:{self.port} (state {self.state})"
        return f"{text}: {self.last_error}" if self.last_error else text

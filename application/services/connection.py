"""The broker connection: its status, and a forced reconnect."""

from __future__ import annotations

from application.ports import Broker, Clock
from domain.connection import ConnectionStatus, ReconnectResult
from domain.errors import DomainError


class ConnectionService:
    def __init__(self, broker: Broker, clock: Clock) -> None:
        self._broker = broker
        self._clock = clock

    async def status(self) -> ConnectionStatus:
        return await self._broker.connection_status()

    async def reconnect(self) -> ReconnectResult:
        """Drop and re-establish the gateway session now; says whether it came back."""
        try:
            await self._broker.reconnect()
        except DomainError as exc:
            return ReconnectResult(
                success=False,
                message=f"Reconnection initiated; not connected yet: {exc.message}",
                timestamp=self._clock.now(),
            )
        status = await self._broker.connection_status()
        if status.connected:
            message = "Reconnected to the IB Gateway"
        else:
            message = f"Reconnection initiated; state is {status.state}"
            if status.last_error:
                message += f" ({status.last_error})"
        return ReconnectResult(
            success=status.connected, message=message, timestamp=self._clock.now()
        )

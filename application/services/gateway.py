"""The IB Gateway runtime: status, logs, restart."""

from __future__ import annotations

from application.ports import Clock, GatewayRuntime
from domain.errors import InvalidRequest, ReadOnly
from domain.gateway import GatewayLogs, GatewayRestartResult, GatewayStatus

MAX_TAIL = 5000


class GatewayService:
    def __init__(self, runtime: GatewayRuntime, clock: Clock, *, read_only: bool = False) -> None:
        self._runtime = runtime
        self._clock = clock
        self._read_only = read_only

    async def status(self) -> GatewayStatus:
        return await self._runtime.status()

    async def logs(self, tail: int = 100) -> GatewayLogs:
        if not 1 <= tail <= MAX_TAIL:
            raise InvalidRequest(f"tail must be between 1 and {MAX_TAIL}; got {tail}", field="tail")
        lines = await self._runtime.logs(tail)
        status = await self._runtime.status()
        return GatewayLogs(tail=tail, lines=lines[-tail:], container_id=status.container_id)

    async def restart(self) -> GatewayRestartResult:
        if self._read_only:
            raise ReadOnly(
                "The service runs read-only (--read-only): the gateway cannot be restarted",
                rule="read_only",
            )
        await self._runtime.restart()
        status = await self._runtime.status()
        return GatewayRestartResult(
            success=status.status == "running",
            message=f"Gateway restarted; status {status.status}, phase {status.phase}",
            timestamp=self._clock.now(),
            restart_count=status.restart_count,
        )

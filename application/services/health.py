"""Liveness and readiness: is the gateway up, the broker connected, the data fresh."""

from __future__ import annotations

from application.ports import Broker, Clock, GatewayRuntime
from domain.errors import DomainError
from domain.health import HealthCheck, HealthReport


class HealthService:
    def __init__(self, broker: Broker, runtime: GatewayRuntime, clock: Clock) -> None:
        self._broker = broker
        self._runtime = runtime
        self._clock = clock

    async def report(self) -> HealthReport:
        checks = {
            "gateway": await self._gateway_check(),
            "broker": await self._broker_check(),
        }
        ready = all(c.ok for c in checks.values())
        return HealthReport(
            status="ok" if ready else "degraded",
            live=True,
            ready=ready,
            checks=checks,
            timestamp=self._clock.now(),
        )

    async def _gateway_check(self) -> HealthCheck:
        try:
            status = await self._runtime.status()
        except DomainError as exc:
            return HealthCheck(ok=False, detail=exc.message)
        return HealthCheck(
            ok=status.status == "running", detail=f"{status.kind} gateway {status.status}"
        )

    async def _broker_check(self) -> HealthCheck:
        try:
            status = await self._broker.connection_status()
        except DomainError as exc:
            return HealthCheck(ok=False, detail=exc.message)
        detail = f"broker {status.state}"
        if status.last_error and not status.connected:
            detail += f": {status.last_error}"
        return HealthCheck(ok=status.connected, detail=detail)

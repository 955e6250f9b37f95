"""Liveness and readiness: is the gateway up, the broker connected (and IB reachable from it,
with its data farms up), the data fresh."""

from __future__ import annotations

from application.ports import Broker, Clock, GatewayRuntime
from application.services.health_monitor import HealthMonitor
from domain.errors import DomainError
from domain.health import HealthCheck, HealthReport


class HealthService:
    def __init__(
        self,
        broker: Broker,
        runtime: GatewayRuntime,
        clock: Clock,
        *,
        monitor: HealthMonitor | None = None,
    ) -> None:
        self._broker = broker
        self._runtime = runtime
        self._clock = clock
        self._monitor = monitor

    async def report(self) -> HealthReport:
        checks = {
            "gateway": await self._gateway_check(),
            "broker": await self._broker_check(),
        }
        if self._monitor is not None:
            checks["market_data"] = self._market_data_check(self._monitor)
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
        # What IB itself says is down (1100, a broken data farm) counts at once, from its
        # notices: the session is up, but requests would fail or come back empty.
        outages = status.outages() if status.connected else []
        if outages:
            detail += "; " + "; ".join(outages)
        return HealthCheck(ok=status.connected and not outages, detail=detail)

    def _market_data_check(self, monitor: HealthMonitor) -> HealthCheck:
        state = monitor.state()
        if state.data_fresh:
            seen = state.last_data_at.isoformat() if state.last_data_at else "just now"
            return HealthCheck(ok=True, detail=f"market data fresh ({state.probe_symbol}, {seen})")
        detail = f"market data not fresh ({state.probe_symbol}): {state.last_reason}"
        if state.last_decision not in ("probe_failed", "waiting_for_broker", "not_started"):
            detail += f" [{state.last_decision}]"
        return HealthCheck(ok=False, detail=detail)

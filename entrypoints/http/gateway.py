"""REST endpoints for the IB Gateway process (a container, the simulator, or an external one)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from application.services.gateway import MAX_TAIL, GatewayService
from domain.gateway import GatewayLogs, GatewayRestartResult, GatewayStatus
from entrypoints.http.errors import responses


class GatewayController(Controller):
    path = "/gateway"
    tags = ["gateway"]

    @get(
        "/status",
        operation_id="get_gateway_status",
        summary="Gateway status",
        responses=responses(502),
    )
    async def status(self, gateway_service: NamedDependency[GatewayService]) -> GatewayStatus:
        """State of the IB Gateway, the program that connects to Interactive Brokers.

        ``status`` is running or stopped (or missing, unreachable); ``kind`` says whether it
        is a Docker container, the embedded simulator or an external gateway; ``phase`` how
        far its start-up got (waiting_for_login means someone must approve a login).
        """
        return await gateway_service.status()

    @get(
        "/logs",
        operation_id="get_gateway_logs",
        summary="Gateway logs",
        responses=responses(400, 501, 502),
    )
    async def logs(
        self,
        gateway_service: NamedDependency[GatewayService],
        tail: Annotated[
            int,
            QueryParameter(
                ge=1, le=MAX_TAIL, description=f"Number of last log lines, 1-{MAX_TAIL}"
            ),
        ] = 100,
    ) -> GatewayLogs:
        """The last lines of the gateway's log (secrets redacted), oldest first."""
        return await gateway_service.logs(tail)

    @post(
        "/restart",
        operation_id="restart_gateway",
        summary="Restart the gateway",
        status_code=200,
        responses=responses(403, 501, 502),
    )
    async def restart(
        self, gateway_service: NamedDependency[GatewayService]
    ) -> GatewayRestartResult:
        """Restart the IB Gateway and report its state afterwards.

        Restarting a real gateway can ask for a new login approval (two-factor): use it when
        the gateway is stuck, not as a routine step. Refused (403) when the service runs
        read-only.
        """
        return await gateway_service.restart()

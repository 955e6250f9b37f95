"""REST endpoints for the session between this service and the IB Gateway."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency

from application.services.connection import ConnectionService
from domain.connection import ConnectionStatus, ReconnectResult
from entrypoints.http.errors import responses


class ConnectionController(Controller):
    path = "/ibkr/connection"
    tags = ["connection"]

    @get("/status", operation_id="get_connection_status", summary="Connection status")
    async def status(
        self, connection_service: NamedDependency[ConnectionService]
    ) -> ConnectionStatus:
        """Whether this service is connected to the IB Gateway (the broker's API process).

        ``connected`` is the short answer; ``state`` (connecting, connected, degraded,
        disconnected) and ``last_error`` explain it. Every other endpoint needs a connection.
        """
        return await connection_service.status()

    @post(
        "/reconnect",
        operation_id="reconnect",
        summary="Reconnect to the gateway",
        status_code=200,
        responses=responses(502, 504),
    )
    async def reconnect(
        self, connection_service: NamedDependency[ConnectionService]
    ) -> ReconnectResult:
        """Drop the session with the IB Gateway and connect again now.

        Use it when the connection status shows a stale or broken session. ``success``
        says whether the session is back; ``message`` explains what happened otherwise.
        """
        return await connection_service.reconnect()

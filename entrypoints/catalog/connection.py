"""Operations on the broker session and the service's health (the ``connection`` toolset)."""

from __future__ import annotations

from domain.connection import ConnectionStatus, ReconnectResult
from domain.errors import GatewayError
from domain.health import HealthReport
from entrypoints.catalog.operation import (
    BROKER_ERRORS,
    LOCAL_QUERY,
    QUERY,
    RECONNECT,
    Operation,
    Rest,
)
from entrypoints.catalog.progress import tracked

OPERATIONS = (
    Operation(
        name="get_connection_status",
        title="Connection status",
        description="""Whether this service is connected to the IB Gateway, since when, the last error. Look here when a tool reports not_connected, before reconnect.

Details: The TWS API session with the gateway is what every other operation needs.
connected is the short answer; state (connecting, connected, degraded, disconnected), client
id, server version and the data farms explain it.""",
        input=None,
        output=ConnectionStatus,
        nature=QUERY,
        errors=(),
        call=lambda _, c: c.services.connection.status(),
        rest=Rest("/ibkr/connection/status", tag="connection"),
    ),
    Operation(
        name="reconnect",
        title="Reconnect to the gateway",
        description="""Reconnect to the IB Gateway now; says whether it came back. In-flight requests of other callers fail: only when get_connection_status stays disconnected or degraded.

Details: Drops the session with the IB Gateway and connects again. The service also
reconnects by itself.""",
        input=None,
        output=ReconnectResult,
        nature=RECONNECT,
        errors=(GatewayError, *BROKER_ERRORS[1:]),
        call=lambda _, c: tracked(c, "reconnecting", c.services.connection.reconnect()),
        reports_progress=True,
        rest=Rest("/ibkr/connection/reconnect", tag="connection"),
    ),
    Operation(
        name="get_health",
        title="Service health",
        description="""Readiness of this service (ok, degraded, failing), a check each for gateway, broker connection and market data. Look here first when anything misbehaves.

Details: Market data is checked when monitored; each check has a detail line. Over REST it
answers 200 when the gateway runs and the broker session is up, 503 otherwise, with the
report either way.""",
        input=None,
        output=HealthReport,
        nature=LOCAL_QUERY,
        errors=(),
        call=lambda _, c: c.services.health.report(),
        rest=Rest("/health", tag="health", status_of=lambda report: 200 if report.ready else 503),
    ),
)

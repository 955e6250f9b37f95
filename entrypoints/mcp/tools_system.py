"""Operations tools: the broker connection, the IB Gateway runtime, overall health."""

from collections.abc import Callable
from typing import Annotated, Any

from mcp.types import ToolAnnotations
from pydantic import Field

from application.container import Services
from domain.connection import ConnectionStatus, ReconnectResult
from domain.gateway import GatewayLogs, GatewayRestartResult, GatewayStatus
from domain.health import HealthReport
from entrypoints.mcp.toolkit import READ_BROKER, READ_LOCAL, ibkr_tool, to_result

RECONNECT = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=True
)
# A restart drops every session and may ask the account holder for a new 2FA login.
RESTART = ToolAnnotations(
    read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=False
)
MAX_LOG_LINE_CHARS = 1000


def system_tools(
    services: Services, *, max_log_lines: int, read_only: bool = False
) -> list[Callable[..., Any]]:
    connection, gateway, health = services.connection, services.gateway, services.health

    @ibkr_tool(annotations=READ_BROKER, output=ConnectionStatus, title="Connection status")
    async def get_connection_status() -> dict[str, Any]:
        """The TWS API session with the IB Gateway: connected or not, state (connecting,
        connected, degraded, disconnected) and since when, client id, server version and the
        last error.

        Use it when other tools report not_connected, before deciding to call reconnect."""
        return to_result(await connection.status())

    @ibkr_tool(annotations=RECONNECT, output=ReconnectResult, title="Reconnect to IB")
    async def reconnect() -> dict[str, Any]:
        """Drop the session with the IB Gateway and connect again now; says whether it came
        back. In-flight requests of other callers fail. The service also reconnects by itself,
        so use it only when get_connection_status stays disconnected or degraded."""
        return to_result(await connection.reconnect())

    @ibkr_tool(annotations=READ_LOCAL, output=GatewayStatus, title="Gateway status")
    async def get_gateway_status() -> dict[str, Any]:
        """The IB Gateway process this service runs or uses: status (running, stopped, ...),
        phase (starting, waiting_for_login, ready, ...), kind (docker, simulated, external),
        container id, image, trading mode (paper/live), API port and restart count.

        Use it when the connection fails, to see whether the gateway itself is up."""
        return to_result(await gateway.status())

    @ibkr_tool(
        annotations=READ_LOCAL,
        output=GatewayLogs,
        title="Gateway logs",
        fill={"max": max_log_lines, "chars": MAX_LOG_LINE_CHARS},
    )
    async def get_gateway_logs(
        tail: Annotated[
            int,
            Field(
                ge=1,
                le=max_log_lines,
                description=f"How many of the latest log lines, 1 to {max_log_lines}",
            ),
        ] = 100,
    ) -> dict[str, Any]:
        """The latest lines of the IB Gateway's log (container output): login prompts, 2FA
        waits, API errors. At most {max} lines, each cut to {chars} characters.

        Use it to find out why the gateway is not ready or the connection keeps failing."""
        logs = await gateway.logs(tail)
        lines = [_cut(line) for line in logs.lines[-max_log_lines:]]
        return to_result(GatewayLogs(tail=logs.tail, lines=lines, container_id=logs.container_id))

    @ibkr_tool(annotations=RESTART, output=GatewayRestartResult, title="Restart the gateway")
    async def restart_gateway() -> dict[str, Any]:
        """Restart the IB Gateway process (container) and report its state afterwards.

        A last resort: every session drops, and a restart can require the account holder to
        approve a new two-factor login on their phone. Try reconnect first, and never restart
        a gateway that get_gateway_status reports as running and ready."""
        return to_result(await gateway.restart())

    @ibkr_tool(annotations=READ_LOCAL, output=HealthReport, title="Service health")
    async def get_health() -> dict[str, Any]:
        """Overall health of this service: ok / degraded / failing, with one check each for
        the gateway and the broker connection and a detail line.

        Use it first when anything misbehaves."""
        return to_result(await health.report())

    tools = [get_connection_status, reconnect, get_gateway_status, get_gateway_logs, get_health]
    return tools if read_only else [*tools, restart_gateway]


def _cut(line: str) -> str:
    if len(line) <= MAX_LOG_LINE_CHARS:
        return line
    return line[:MAX_LOG_LINE_CHARS] + " ...[cut]"

"""Operations on the IB Gateway: its status, its logs, a restart (the ``gateway`` toolset).

The broker session and the service's health are in ``connection.py``."""

from __future__ import annotations

from typing import Annotated

import msgspec
import msgspec.structs
from msgspec import Meta

from application.services.gateway import MAX_TAIL
from domain.errors import GatewayError, InvalidRequest, NotSupported, ReadOnly
from domain.gateway import GatewayLogs, GatewayRestartResult, GatewayStatus
from entrypoints.catalog.operation import (
    LOCAL_QUERY,
    RESTART,
    Mcp,
    Operation,
    Rest,
    ResultLimits,
)
from entrypoints.catalog.progress import tracked

MAX_LOG_LINE_CHARS = 1000


class LogsInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    tail: Annotated[
        int,
        Meta(
            ge=1,
            le=MAX_TAIL,
            description=f"How many of the latest log lines, 1-{MAX_TAIL}",
            examples=[100],
        ),
    ] = 100


def cap_logs(logs: GatewayLogs, limits: ResultLimits) -> GatewayLogs:
    lines = [_cut(line) for line in logs.lines[-limits.max_log_lines :]]
    return msgspec.structs.replace(logs, lines=lines)


def _cut(line: str) -> str:
    if len(line) <= MAX_LOG_LINE_CHARS:
        return line
    return line[:MAX_LOG_LINE_CHARS] + " ...[cut]"


OPERATIONS = (
    Operation(
        name="get_gateway_status",
        title="Gateway status",
        description="""State of the IB Gateway this service reaches IB through: status, start-up phase (waiting_for_login: someone must approve a login), trading mode. Look here when the connection fails.

Details: status is running or stopped (or missing, unreachable); phase how far its start-up
got (starting, waiting_for_login, ready, failed); kind says whether it is a Docker container,
the embedded simulator or an external gateway. The report also holds the container id,
image, trading mode (paper or live), API port and restart count.""",
        input=None,
        output=GatewayStatus,
        nature=LOCAL_QUERY,
        errors=(GatewayError,),
        call=lambda _, c: c.services.gateway.status(),
        rest=Rest("/gateway/status", tag="gateway"),
    ),
    Operation(
        name="get_gateway_logs",
        title="Gateway logs",
        description="""The last lines of the IB Gateway's log (secrets removed), oldest first: login prompts, two-factor waits, API errors.

Details: Look here to find out why the gateway is not ready or the connection keeps
failing.""",
        input=LogsInput,
        output=GatewayLogs,
        nature=LOCAL_QUERY,
        errors=(InvalidRequest, NotSupported, GatewayError),
        call=lambda q, c: c.services.gateway.logs(q.tail),
        rest=Rest("/gateway/logs", tag="gateway"),
        mcp=Mcp(
            shape=cap_logs,
            note=f"At most {{max_log_lines}} lines, each cut to {MAX_LOG_LINE_CHARS} characters.",
        ),
    ),
    Operation(
        name="restart_gateway",
        title="Restart the gateway",
        description="""Restart the IB Gateway and report its state. A last resort: every session drops, and a real gateway can ask the account holder for a new two-factor login. Try reconnect first; never restart a gateway get_gateway_status reports ready.

Details: The gateway is a process or a container. A read-only service refuses.""",
        input=None,
        output=GatewayRestartResult,
        nature=RESTART,
        errors=(ReadOnly, NotSupported, GatewayError),
        call=lambda _, c: tracked(c, "restarting the gateway", c.services.gateway.restart()),
        reports_progress=True,
        rest=Rest("/gateway/restart", tag="gateway"),
    ),
)

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
        description="""State of the IB Gateway, the program this service reaches Interactive Brokers through.

status (running, stopped, missing, unreachable), start-up phase (starting, waiting_for_login:
someone must approve a login, ready, failed), trading mode (paper or live) and API port. Look
here when the connection fails, to see whether the gateway itself is up.

Details: kind says whether it is a Docker container, the embedded simulator or an external
gateway; the report also holds the container id, image and restart count.""",
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
        description="""The last lines of the IB Gateway's log (secrets removed), oldest first: login prompts, two-factor waits, API errors, to find out why the gateway is not ready or the connection keeps failing.""",
        input=LogsInput,
        output=GatewayLogs,
        nature=LOCAL_QUERY,
        errors=(InvalidRequest, NotSupported, GatewayError),
        call=lambda q, c: c.services.gateway.logs(q.tail),
        rest=Rest("/gateway/logs", tag="gateway"),
        mcp=Mcp(
            shape=cap_logs,
            note=f"At most {{max_log_lines}} lines are returned, each cut to "
            f"{MAX_LOG_LINE_CHARS} characters.",
        ),
    ),
    Operation(
        name="restart_gateway",
        title="Restart the gateway",
        description="""Restart the IB Gateway process (container) and report its state afterwards.

A last resort: every session drops, and restarting a real gateway can ask the account holder
to approve a new two-factor login. Try reconnect first, and never restart a gateway that
get_gateway_status reports as running and ready.

Details: A read-only service refuses.""",
        input=None,
        output=GatewayRestartResult,
        nature=RESTART,
        errors=(ReadOnly, NotSupported, GatewayError),
        call=lambda _, c: tracked(c, "restarting the gateway", c.services.gateway.restart()),
        reports_progress=True,
        rest=Rest("/gateway/restart", tag="gateway"),
    ),
)

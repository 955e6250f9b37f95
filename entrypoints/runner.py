"""Run the service: over HTTP with uvicorn, or MCP over stdio."""

from __future__ import annotations

import asyncio
import contextlib

import structlog

from entrypoints.listen import PortUnavailable, listening_socket
from entrypoints.logging import configure_logging
from entrypoints.settings import Settings, SettingsError, is_loopback

log = structlog.get_logger("ibkr_mcp")

__all__ = ["is_loopback", "run_serve", "run_stdio"]


# Seconds open connections (SSE streams) get to finish when the service stops.
SHUTDOWN_GRACE_SECONDS = 3


def run_serve(settings: Settings, *, password_on_command_line: bool = False) -> int:
    import uvicorn

    from entrypoints.bootstrap import build_app

    configure_logging(
        log_format=settings.log_format, level=settings.log_level, secrets=settings.secrets()
    )
    if password_on_command_line:
        log.warning(
            "settings.password_on_command_line",
            message="--ib-gateway-password is visible in the process list; prefer "
            "--ib-gateway-password-file or IBKR_MCP_IB_GATEWAY_PASSWORD",
        )
    try:
        tokens = settings.tokens()
        # Before anything starts (the gateway, a container, a login): the port is free.
        sock = listening_socket(settings.host, settings.port)
    except SettingsError as exc:
        log.error("settings.invalid", message=str(exc))
        return 2
    except PortUnavailable as exc:
        log.error("service.port_unavailable", message=str(exc))
        return 1
    try:
        app = build_app(settings)
    except SettingsError as exc:
        sock.close()
        log.error("settings.invalid", message=str(exc))
        return 2
    for warning in tokens.warnings:
        log.warning("settings.token_file_permissions", message=warning)
    log.info(
        "service.starting",
        url=f"http://{settings.host}:{settings.port}",
        docs=f"http://{settings.host}:{settings.port}/docs",
        mcp=f"http://{settings.host}:{settings.port}/mcp",
        gateway=settings.gateway_mode,
        auth="token names " + ", ".join(tokens.names) if tokens.enabled else "off (loopback)",
        read_only=settings.read_only,
        allow_live_trading=settings.allow_live_trading,
        audit_file=str(settings.audit_path()),
    )
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        lifespan="on",
        ws="none",  # no WebSocket route: nor the websockets library's import at start-up
        # Open SSE streams would hold a shutdown forever: after this many seconds uvicorn
        # closes what is still open, then the lifespan ends every stream and line.
        timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
    )
    server = uvicorn.Server(config)
    # uvicorn re-raises the SIGINT it handled once it has shut down (uvicorn.run swallows it).
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[sock])
    # As uvicorn.run: a start-up that failed (e.g. the gateway) exits non-zero.
    return 0 if server.started else 3


def run_stdio(settings: Settings) -> int:
    """MCP over stdin/stdout; logs go to stderr because stdout belongs to the protocol."""
    import sys

    configure_logging(
        log_format="json" if settings.log_format == "auto" else settings.log_format,
        level=settings.log_level,
        secrets=settings.secrets(),
        stream=sys.stderr,
    )
    asyncio.run(_stdio(settings))
    return 0


async def _stdio(settings: Settings) -> None:
    from entrypoints.bootstrap import assemble
    from entrypoints.mcp.server import build_mcp

    try:
        assembly = assemble(settings)
    except SettingsError as exc:
        log.error("settings.invalid", message=str(exc))
        return
    mcp = build_mcp(
        assembly.services,
        max_option_contracts=settings.max_option_contracts,
        read_only=settings.read_only,
        selection=settings.tool_selection(),
        output_schemas=settings.mcp_output_schemas,
        metrics=assembly.metrics,  # no /metrics over stdio; it also logs each tool call
    )
    async with assembly.running():
        await mcp.run_stdio_async(show_banner=False)

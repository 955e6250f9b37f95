"""The ``ibkr-mcp`` command: ``serve`` (default), ``stdio`` and ``simulate``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path

from entrypoints.settings import Secret, Settings, SettingsError, settings_from_env
from entrypoints.toolsets import DEFAULT_PROFILE, PROFILES, TOOLSETS

COMMANDS = ("serve", "stdio", "simulate")


def _gateway_options(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("gateway (defaults from IBKR_MCP_* environment variables)")
    g.add_argument(
        "--gateway",
        choices=["simulated", "docker", "external"],
        help="which IB Gateway to use: the embedded simulator (default), a Docker container "
        "managed by this service (default when credentials are given), or one already running",
    )
    g.add_argument("--ib-host", help="TWS API host of an external gateway (default 127.0.0.1)")
    g.add_argument("--ib-port", type=int, help="TWS API port of an external gateway (4002 paper)")
    g.add_argument("--ib-client-id", type=int, help="TWS API client id (default 17)")
    g.add_argument("--ib-account", help="account id to use when the login has several")
    g.add_argument("--connect-timeout", type=float, help="seconds to wait for a connect (20)")
    g.add_argument("--request-timeout", type=float, help="seconds per broker request (10)")
    g.add_argument("--historical-timeout", type=float, help="seconds per historical request (60)")
    g.add_argument("--ib-gateway-username", help="IBKR login for the Docker gateway")
    g.add_argument(
        "--ib-gateway-password",
        help="IBKR password (visible in the process list: prefer --ib-gateway-password-file "
        "or IBKR_MCP_IB_GATEWAY_PASSWORD)",
    )
    g.add_argument("--ib-gateway-password-file", type=Path, help="file holding the IBKR password")
    g.add_argument("--gateway-flavor", choices=["gnzsnz", "extrange"], help="gateway image family")
    g.add_argument("--gateway-image", help="override the gateway image")
    g.add_argument("--gateway-container-name", help="container name (default ibkr-gateway)")
    g.add_argument("--trading-mode", choices=["paper", "live"], help="paper (default) or live")
    g.add_argument(
        "--gateway-stop-on-exit",
        action="store_true",
        default=None,
        help="stop the gateway container when the service exits (default: leave it running)",
    )
    m = parser.add_argument_group("health monitor")
    m.add_argument(
        "--monitor",
        dest="monitor_enabled",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="watch market data and restart a gateway whose data stopped (default on)",
    )
    m.add_argument("--monitor-probe", help="probe contract 'SYMBOL SECTYPE EXCHANGE CURRENCY'")
    m.add_argument("--monitor-interval", type=float, help="seconds between probes (30)")
    m.add_argument("--monitor-failure-threshold", type=int, help="failed probes in a row (3)")
    m.add_argument("--monitor-min-outage", type=float, help="seconds without data (120)")
    m.add_argument("--monitor-max-restarts-per-hour", type=int, help="restart cap per hour (3)")
    m.add_argument(
        "--maintenance-window",
        dest="maintenance_windows",
        action="append",
        help="no restarts inside, e.g. 'daily 23:45-01:45 America/New_York' (repeatable; "
        "'none' for no windows; default IB's nightly and weekend resets)",
    )
    g.add_argument(
        "--gateway-env",
        action="append",
        metavar="KEY=VALUE",
        help="extra variable for the gateway container, e.g. TWOFA_TIMEOUT_ACTION=restart or "
        "AUTO_RESTART_TIME='11:59 PM' (repeatable; not for credentials)",
    )
    d = parser.add_argument_group("live market data")
    d.add_argument(
        "--market-data-lines",
        type=int,
        help="streaming market data lines this service may hold, shared by snapshots and "
        "streams (100: IB's default budget per account; leave room for other clients)",
    )
    d.add_argument(
        "--market-data-linger",
        type=float,
        help="seconds an unused line stays open so the next quote of it is live (60)",
    )
    d.add_argument("--streams-per-caller", type=int, help="live streams per caller at once (8)")
    d.add_argument(
        "--stream-buffer",
        type=int,
        help="events a stream may leave unread before it is closed as too slow (1000)",
    )
    d.add_argument("--stream-heartbeat", type=float, help="seconds between SSE keep-alives (15)")
    d.add_argument(
        "--subscription-idle-timeout",
        type=float,
        help="seconds an unread cursor subscription lives (300)",
    )
    g.add_argument("--sim-seed", type=int, help="random seed of the embedded simulator (7)")
    g.add_argument("--sim-account", help="account id of the embedded simulator (DU1234567)")


def _safety_options(parser: argparse.ArgumentParser, *, http: bool) -> None:
    s = parser.add_argument_group(
        "safety (defaults from IBKR_MCP_* environment variables; see README, Security)"
    )
    if http:
        s.add_argument(
            "--token-file",
            type=Path,
            help="file of bearer tokens, one 'name:token' a line (or set IBKR_MCP_TOKEN); "
            "required to listen on a non-loopback address",
        )
        s.add_argument("--max-request-body", type=int, help="request body limit in bytes (65536)")
    s.add_argument(
        "--read-only",
        action="store_true",
        default=None,
        help="refuse every state-changing operation (orders, previews, cancels, gateway restart)",
    )
    s.add_argument(
        "--allow-live-trading",
        action="store_true",
        default=None,
        help="allow placing orders on a live (real-money) account",
    )
    s.add_argument(
        "--require-preview",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="place_order needs a confirmation token from preview_order (default: for MCP "
        "callers and live accounts only)",
    )
    s.add_argument("--max-order-quantity", type=float, help="largest quantity per order (off)")
    s.add_argument("--max-order-notional", type=float, help="largest order value (off)")
    s.add_argument("--allowed-sec-types", help="comma-separated, e.g. STK,OPT (default all)")
    s.add_argument("--allowed-symbols", help="comma-separated symbols (default all)")
    s.add_argument(
        "--max-orders-per-minute", type=int, help="orders sent per minute (30; 0 switches it off)"
    )
    s.add_argument(
        "--max-previews-per-minute",
        type=int,
        help="what-if previews sent per minute (60; 0 switches it off)",
    )
    s.add_argument(
        "--audit-file",
        type=Path,
        help="JSON-lines audit trail (default $XDG_STATE_HOME/ibkr-mcp/audit.jsonl; "
        "audit-simulated.jsonl on the embedded simulator)",
    )
    s.add_argument(
        "--journal-dsn",
        help="order journal for idempotency keys: sqlite:///path (default "
        "$XDG_STATE_HOME/ibkr-mcp/journal.sqlite3) or postgresql://user@host/db (give a "
        "password through IBKR_MCP_JOURNAL_DSN or PGPASSWORD, not on the command line)",
    )
    s.add_argument(
        "--journal-retention-days",
        type=float,
        help="days an idempotency key is kept in the journal after its last use (30)",
    )
    s.add_argument("--preview-ttl", type=float, help="seconds a confirmation token lasts (120)")


def _tool_options(parser: argparse.ArgumentParser) -> None:
    t = parser.add_argument_group("MCP tools (REST serves every operation either way)")
    t.add_argument(
        "--tool-profile",
        help=f"which MCP tools are listed and callable: {', '.join(PROFILES)} "
        f"(default {DEFAULT_PROFILE}; see README, MCP toolsets)",
    )
    t.add_argument(
        "--toolsets",
        help="comma-separated toolsets to offer instead of the profile's: "
        f"{', '.join(TOOLSETS)} (read-only keeps only their queries)",
    )
    t.add_argument(
        "--mcp-output-schemas",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="advertise each tool's output schema (off: they more than double tools/list)",
    )


def _logging_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--log-format", choices=["auto", "json", "console"])
    parser.add_argument("--log-level", choices=["DEBUG", "INFO", "WARNING", "ERROR"])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ibkr-mcp",
        description="An Interactive Brokers account over REST and MCP. With no gateway "
        "configured it runs on an embedded simulated IB Gateway (no real account, made-up prices).",
    )
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="serve REST and MCP over HTTP (default command)")
    serve.add_argument("--host", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to bind (default 8000)")
    serve.add_argument(
        "--allowed-hosts",
        "--mcp-allowed-hosts",
        dest="allowed_hosts",
        help="comma-separated host names the service answers to besides loopback names and "
        "--host, e.g. api.example.com (DNS rebinding protection; any other Host: 421)",
    )
    serve.add_argument(
        "--allowed-origins",
        "--mcp-allowed-origins",
        dest="allowed_origins",
        help="comma-separated web origins whose pages may call the service, e.g. "
        "https://console.example.com (CORS is on for them only; any other site: 403)",
    )
    serve.add_argument(
        "--mcp-stateful",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="keep an MCP session per client (SSE answers) instead of answering every MCP "
        "request on its own in JSON (default: stateless)",
    )
    serve.add_argument(
        "--mcp-session-idle-timeout",
        type=float,
        help="with --mcp-stateful: seconds an idle MCP session is kept (600)",
    )
    serve.add_argument(
        "--mcp-max-sessions",
        type=int,
        help="with --mcp-stateful: MCP sessions open at once; more are refused (100)",
    )
    serve.add_argument(
        "--metrics-public",
        action="store_true",
        default=None,
        help="serve /metrics (Prometheus) without a bearer token even when tokens are "
        "configured (it shows request counts and connection state, no account data)",
    )
    _logging_options(serve)
    _tool_options(serve)
    _gateway_options(serve)
    _safety_options(serve, http=True)
    stdio = sub.add_parser("stdio", help="serve MCP over stdin/stdout (for Claude Desktop & co)")
    _logging_options(stdio)
    _tool_options(stdio)
    _gateway_options(stdio)
    _safety_options(stdio, http=False)
    simulate = sub.add_parser("simulate", help="run only the simulated IB Gateway (TWS API)")
    simulate.add_argument("--host", default="127.0.0.1")
    simulate.add_argument("--port", type=int, default=4002)
    simulate.add_argument("--seed", type=int, default=7)
    simulate.add_argument("--account", default="DU1234567")
    simulate.add_argument("--control-port", type=int, help="loopback port for fault injection")
    _logging_options(simulate)
    return parser


def settings_from_args(args: argparse.Namespace) -> Settings:
    overrides = {k: v for k, v in vars(args).items() if k != "command" and v is not None}
    if "ib_gateway_password" in overrides:
        overrides["ib_gateway_password"] = Secret(overrides["ib_gateway_password"])
    if "journal_dsn" in overrides:
        overrides["journal_dsn"] = Secret(overrides["journal_dsn"])
    if "gateway_env" in overrides:
        overrides["gateway_env"] = tuple(overrides["gateway_env"])
    if "maintenance_windows" in overrides:
        overrides["maintenance_windows"] = tuple(overrides["maintenance_windows"])
    for key in (
        "allowed_hosts", "allowed_origins", "allowed_sec_types", "allowed_symbols", "toolsets",
    ):  # fmt: skip
        if key in overrides:
            overrides[key] = tuple(p.strip() for p in overrides[key].split(",") if p.strip())
    return settings_from_env(**overrides)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help")):
        argv.insert(0, "serve")
    args = build_parser().parse_args(argv)
    if args.command == "simulate":
        return _simulate(args)
    try:
        settings = settings_from_args(args)
    except SettingsError as exc:
        print(f"ibkr-mcp: {exc}", file=sys.stderr)
        return 2
    from entrypoints.runner import run_serve, run_stdio

    if args.command == "stdio":
        return run_stdio(settings)
    return run_serve(settings, password_on_command_line=args.ib_gateway_password is not None)


def _simulate(args: argparse.Namespace) -> int:
    from adapters.simulated_gateway import run_standalone
    from entrypoints.logging import configure_logging

    configure_logging(log_format=args.log_format or "auto", level=args.log_level or "INFO")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            run_standalone(
                host=args.host,
                port=args.port,
                seed=args.seed,
                account=args.account,
                control_port=args.control_port,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Service settings: CLI flags over ``IBKR_MCP_*`` environment variables over defaults."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qs, unquote, urlsplit

from application.services.auth import TokenBook, TokenConfigError
from entrypoints.toolsets import DEFAULT_PROFILE, ToolSelection, select

ENV_PREFIX = "IBKR_MCP_"
# Former names, still accepted (flags and variables): they were /mcp-only, now service-wide.
ALIASES = {"mcp_allowed_hosts": "allowed_hosts", "mcp_allowed_origins": "allowed_origins"}
# An origin a page can have: scheme, host (optionally "*." first for subdomains), port.
_ORIGIN = re.compile(
    r"^https?://(\*\.(?=[a-z0-9-]+\.[a-z0-9-]))?([a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(:\d{1,5})?$"
)
_HOST = re.compile(
    r"^(\*\.(?=[a-z0-9_-]+\.[a-z0-9_-]))?([a-z0-9_-]+(\.[a-z0-9_-]+)*|\[?[0-9a-f:.]+\]?)(:(\d{1,5}|\*))?$"
)
_ENV_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
GatewayMode = Literal["simulated", "docker", "external"]


class Secret:
    """A string that never shows itself in reprs, logs or tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


class SettingsError(ValueError):
    """A setting that cannot work, with the reason in words an operator can act on."""


@dataclass(frozen=True, kw_only=True)
class Settings:
    # HTTP front door
    host: str = "127.0.0.1"
    port: int = 8000
    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: str = "INFO"
    # Host names this service answers to besides loopback names and --host (DNS rebinding),
    # and web origins whose pages may call it (besides its own; also turns CORS on for them).
    allowed_hosts: tuple[str, ...] = ()
    allowed_origins: tuple[str, ...] = ()
    # MCP over HTTP answers every POST on its own, in JSON (stateless): no session to keep, none
    # to leak, a fraction of the CPU per call. Stateful keeps a session per client (~20 KB)
    # for features that need one (server-to-client requests such as elicitation, resource
    # subscriptions; none used yet): an idle one is closed after this many seconds (the client
    # opens a new one), and at most this many are open at once (a new client beyond that is
    # refused with 503 until one ends or expires).
    mcp_stateful: bool = False
    mcp_session_idle_timeout: float = 600.0
    mcp_max_sessions: int = 100
    # Which tools MCP lists and runs (entrypoints/toolsets.py): a profile, whose toolsets
    # --toolsets replaces when given. REST serves every operation either way. Output schemas
    # more than double tools/list, for clients that check results; off unless asked for.
    tool_profile: str = DEFAULT_PROFILE
    toolsets: tuple[str, ...] = ()
    mcp_output_schemas: bool = False
    # /metrics (Prometheus) needs the bearer token when tokens are configured, unless opened.
    metrics_public: bool = False
    # Which gateway: None picks simulated, or docker when credentials are given.
    gateway: GatewayMode | None = None
    # TWS API session
    ib_host: str = "127.0.0.1"
    ib_port: int = 4002
    ib_client_id: int = 17
    ib_account: str | None = None
    connect_timeout: float = 20.0
    request_timeout: float = 10.0
    historical_timeout: float = 60.0
    # Docker gateway
    ib_gateway_username: str | None = None
    ib_gateway_password: Secret | None = field(default=None, repr=False)
    ib_gateway_password_file: Path | None = None
    gateway_flavor: Literal["gnzsnz", "extrange"] = "gnzsnz"
    gateway_image: str | None = None
    gateway_container_name: str = "ibkr-gateway"
    trading_mode: Literal["paper", "live"] = "paper"
    gateway_stop_on_exit: bool = False
    # Extra container variables for the image (e.g. TWOFA_TIMEOUT_ACTION=restart), KEY=VALUE.
    gateway_env: tuple[str, ...] = ()
    # Embedded simulator
    sim_seed: int = 7
    sim_account: str = "DU1234567"
    # Health monitor: restarts a gateway whose market data stopped
    monitor_enabled: bool = True
    monitor_probe: str = "SPY STK SMART USD"
    monitor_interval: float = 30.0
    monitor_failure_threshold: int = 3
    monitor_min_outage: float = 120.0
    monitor_max_restarts_per_hour: int = 3
    # "<daily|mon..sun> HH:MM-HH:MM [IANA tz]", comma-separated; "none" turns windows off;
    # empty keeps IB's nightly and weekend reset windows.
    maintenance_windows: tuple[str, ...] = ()
    # Live market data: streaming lines shared by snapshots and streams, within IB's budget
    # of lines for the account (100 by default); an unused line lingers this many seconds.
    market_data_lines: int = 100
    market_data_linger: float = 60.0
    # Live streams (SSE, MCP subscriptions) a caller may hold at once, events each may leave
    # unread before it is dropped, seconds between SSE keep-alives, and how long an unread
    # cursor subscription lives.
    streams_per_caller: int = 8
    stream_buffer: int = 1000
    stream_heartbeat: float = 15.0
    subscription_idle_timeout: float = 300.0
    # Response sizes
    max_option_contracts: int = 100
    max_bars: int = 5000
    # Who may call: bearer tokens ("name:token" or "token", comma-separated) and/or a file.
    token: Secret | None = field(default=None, repr=False)
    token_file: Path | None = None
    # What callers may do (see domain.safety.TradingPolicy); None/0 switches a limit off.
    read_only: bool = False
    allow_live_trading: bool = False
    # None: MCP callers need a preview, REST callers do not; live accounts always do.
    require_preview: bool | None = None
    max_order_quantity: float | None = None
    max_order_notional: float | None = None
    allowed_sec_types: tuple[str, ...] | None = None
    allowed_symbols: tuple[str, ...] | None = None
    # A runaway agent loop is not harmless: capped by default.
    max_orders_per_minute: int = 30
    max_previews_per_minute: int = 60
    audit_file: Path | None = None
    # Where idempotency keys are kept: sqlite:///path (default: the state directory) or
    # postgresql://user:pass@host/db. A DSN may hold a password: it is a secret.
    journal_dsn: Secret | None = None
    # Keys untouched this many days are forgotten at start-up (a retry comes within minutes).
    journal_retention_days: float = 30.0
    preview_ttl: float = 120.0
    max_request_body: int = 64 * 1024

    @property
    def gateway_mode(self) -> GatewayMode:
        """The gateway in use: as named, else docker when credentials are given, else simulated."""
        if self.gateway is not None:
            return self.gateway
        if self.ib_gateway_username and (self.ib_gateway_password or self.ib_gateway_password_file):
            return "docker"
        return "simulated"

    def password(self) -> Secret | None:
        """The gateway password, read from the file when one is configured."""
        if self.ib_gateway_password_file is not None:
            try:
                text = self.ib_gateway_password_file.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise SettingsError(
                    f"Cannot read the gateway password file {self.ib_gateway_password_file}: "
                    f"{exc.strerror}"
                ) from None
            return Secret(text)
        return self.ib_gateway_password

    def gateway_extra_env(self) -> dict[str, str]:
        """``gateway_env`` as a mapping; refuses what is not KEY=VALUE or carries a password."""
        extra: dict[str, str] = {}
        for item in self.gateway_env:
            key, sep, value = item.partition("=")
            key = key.strip()
            if not sep or not _ENV_KEY.match(key):
                raise SettingsError(
                    f"gateway_env entries are KEY=VALUE with KEY in letters, digits and '_', "
                    f"e.g. TWOFA_TIMEOUT_ACTION=restart; got {key or item[:20]!r}"
                )
            if "PASSWORD" in key.upper():
                raise SettingsError(
                    f"gateway_env must not carry {key}: give the password with "
                    "--ib-gateway-password-file (or IBKR_MCP_IB_GATEWAY_PASSWORD), which keeps "
                    "it out of logs and, where the image allows, out of the container's env"
                )
            extra[key] = value
        return extra

    def tool_selection(self) -> ToolSelection:
        """The MCP tools to offer: the profile's toolsets, or those named."""
        try:
            return select(self.toolsets, self.tool_profile)
        except ValueError as exc:
            raise SettingsError(f"{exc} (--tool-profile, --toolsets)") from None

    def tokens(self) -> TokenBook:
        """The bearer tokens callers must present (an empty book: authentication off)."""
        try:
            return TokenBook.load(self.token.reveal() if self.token else None, self.token_file)
        except TokenConfigError as exc:
            raise SettingsError(str(exc)) from None

    def audit_path(self) -> Path:
        """The audit file: as set, else $XDG_STATE_HOME/ibkr-mcp/audit.jsonl, and
        audit-simulated.jsonl on the embedded simulator: made-up orders never mix with a real
        account's record (nor show in its get_order_audit)."""
        if self.audit_file is not None:
            return self.audit_file
        state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
        name = "audit-simulated.jsonl" if self.gateway_mode == "simulated" else "audit.jsonl"
        return Path(state) / "ibkr-mcp" / name

    def journal(self) -> str:
        """The order journal's DSN: as set, else SQLite beside the audit file's default."""
        if self.journal_dsn:
            return self.journal_dsn.reveal()
        state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
        return "sqlite:///" + str(Path(state).absolute() / "ibkr-mcp" / "journal.sqlite3")

    def secrets(self) -> list[str]:
        """Every secret value configured, for the log redactor."""
        out = []
        if self.token:
            # The whole variable too: a malformed one is still a secret.
            out.append(self.token.reveal())
        if self.token or self.token_file is not None:
            with contextlib.suppress(SettingsError):
                out.extend(self.tokens().secrets())
        if self.ib_gateway_password:
            out.append(self.ib_gateway_password.reveal())
        if self.journal_dsn:
            out.extend(dsn_passwords(self.journal_dsn.reveal()))
        if self.ib_gateway_password_file is not None:
            try:
                pw = self.password()
            except SettingsError:
                pw = None
            if pw:
                out.append(pw.reveal())
        return [s for s in out if s]


def dsn_passwords(dsn: str) -> list[str]:
    """Every spelling of the passwords a DSN holds: in its user part (as written and decoded)
    and as a ``password`` query parameter."""
    try:
        parts = urlsplit(dsn)
        given = [parts.password or "", *parse_qs(parts.query).get("password", [])]
    except ValueError:
        return [dsn]  # cannot be read apart: the whole DSN is the secret
    return [spelling for p in given if p for spelling in {p, unquote(p)}]


def _convert(name: str, raw: str, annotation: str) -> object:
    text = raw.strip()
    if "Secret" in annotation:
        return Secret(raw)
    if "None" in annotation and not text:
        return None
    if annotation.startswith("tuple"):
        return tuple(p.strip() for p in text.split(",") if p.strip())
    if "Path" in annotation:
        return Path(text) if text else None
    if annotation.startswith("bool"):
        if text.lower() in ("1", "true", "yes", "on"):
            return True
        if text.lower() in ("0", "false", "no", "off", ""):
            return False
        raise SettingsError(f"{ENV_PREFIX}{name.upper()} must be true or false, got {raw!r}")
    try:
        if annotation.startswith("int"):
            return int(text)
        if annotation.startswith("float"):
            return float(text)
    except ValueError:
        raise SettingsError(f"{ENV_PREFIX}{name.upper()} must be a number, got {raw!r}") from None
    return text or None if "None" in annotation else text


def settings_from_env(environ: dict[str, str] | None = None, **overrides: object) -> Settings:
    """Settings from ``IBKR_MCP_*`` variables, then ``overrides`` (e.g. CLI flags) on top."""
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for f in fields(Settings):
        key = ENV_PREFIX + f.name.upper()
        old = next((o for o, n in ALIASES.items() if n == f.name), None)
        if key not in env and old is not None and ENV_PREFIX + old.upper() in env:
            key = ENV_PREFIX + old.upper()
        if key in env:
            values[f.name] = _convert(f.name, env[key], str(f.type))
    for old, new in ALIASES.items():
        if overrides.get(old) is not None and overrides.get(new) is None:
            overrides[new] = overrides[old]
        overrides.pop(old, None)
    values.update({k: v for k, v in overrides.items() if v is not None})
    settings = Settings(**values)  # type: ignore[arg-type]
    validate(settings)
    return settings


def validate(settings: Settings) -> None:
    if not 0 < settings.port < 65536:
        raise SettingsError(f"port must be 1-65535, got {settings.port}")
    if settings.ib_client_id < 0:
        raise SettingsError("ib_client_id must be >= 0")
    for name in ("connect_timeout", "request_timeout", "historical_timeout"):
        if getattr(settings, name) <= 0:
            raise SettingsError(f"{name} must be > 0 seconds")
    if len(settings.monitor_probe.split()) != 4:
        raise SettingsError(
            f"monitor_probe must be 'SYMBOL SECTYPE EXCHANGE CURRENCY', got {settings.monitor_probe!r}"
        )
    if not 0 < settings.mcp_session_idle_timeout < float("inf"):
        raise SettingsError("mcp_session_idle_timeout must be a number of seconds > 0")
    if settings.mcp_max_sessions < 1:
        raise SettingsError("mcp_max_sessions must be >= 1")
    for name in ("market_data_lines", "streams_per_caller", "stream_buffer"):
        if getattr(settings, name) < 1:
            raise SettingsError(f"{name} must be >= 1")
    for name in ("market_data_linger", "stream_heartbeat", "subscription_idle_timeout"):
        if not 0 < getattr(settings, name) < float("inf"):
            raise SettingsError(f"{name} must be a number of seconds > 0")
    if settings.stream_heartbeat < 1:
        raise SettingsError("stream_heartbeat must be at least 1 second")
    if settings.monitor_interval <= 0 or settings.monitor_failure_threshold < 1:
        raise SettingsError("monitor_interval must be > 0 and monitor_failure_threshold >= 1")
    _validate_safety(settings)
    settings.tool_selection()
    settings.gateway_extra_env()
    if settings.gateway_mode == "docker" and not settings.ib_gateway_username:
        raise SettingsError(
            "--gateway docker needs IB credentials: --ib-gateway-username and "
            "--ib-gateway-password-file (or IBKR_MCP_IB_GATEWAY_PASSWORD)"
        )


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _validate_safety(settings: Settings) -> None:
    tokens = settings.tokens()
    if not is_loopback(settings.host) and not tokens.enabled:
        raise SettingsError(
            f"Refusing to listen on {settings.host}, which is reachable from other machines, "
            "without authentication: anyone who can reach it could trade this account. Set "
            "IBKR_MCP_TOKEN (or --token-file) to require a bearer token, or bind to 127.0.0.1"
        )
    for name in ("max_order_quantity", "max_order_notional", "preview_ttl",
                 "journal_retention_days"):  # fmt: skip
        value = getattr(settings, name)
        if value is not None and not (value > 0 and value != float("inf")):
            raise SettingsError(f"{name} must be a number > 0, got {value}")
    for name in ("max_orders_per_minute", "max_previews_per_minute"):
        if getattr(settings, name) < 0:
            raise SettingsError(f"{name} must be >= 0 (0 switches the limit off)")
    if not 1024 <= settings.max_request_body <= 16 * 1024 * 1024:
        raise SettingsError("max_request_body must be 1024 to 16777216 bytes")
    _validate_sites(settings)


def _validate_sites(settings: Settings) -> None:
    """Allowed hosts and origins name sites; "*" would switch the protection off."""
    for host in settings.allowed_hosts:
        if not _HOST.match(host.lower()):
            raise SettingsError(
                f"allowed_hosts entries are host names such as api.example.com, *.example.com "
                f"or 192.168.1.20 (every Host cannot be allowed: DNS rebinding); got {host!r}"
            )
    for origin in settings.allowed_origins:
        if not _ORIGIN.match(origin.lower()):
            raise SettingsError(
                "allowed_origins entries are web origins, scheme://host[:port] with no path, "
                "such as https://console.example.com or http://localhost:6274 (neither '*' "
                f"nor 'null': any page could then trade); got {origin!r}"
            )

"""Service settings: one declaration, read from CLI flags over ``IBKR_MCP_*`` environment
variables over defaults (pydantic-settings; the flags are built in ``entrypoints/cli.py``).

Each field is one flag (``--kebab-name``) and one variable (``IBKR_MCP_UPPER_NAME``); its
description is the flag's ``--help`` text, which also shows the variable and the default.
Lists are comma-separated in variables and flags alike (a list flag may also be repeated).
The bounds and rules that need more than a type are in :func:`validate`, with reasons an
operator can act on.
"""

from __future__ import annotations

import contextlib
import contextvars
import ipaddress
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias, TypeVar
from urllib.parse import parse_qs, unquote, urlsplit

from pydantic import AliasChoices, BeforeValidator, Field, ValidationError
from pydantic_core import core_schema
from pydantic_settings import (
    BaseSettings,
    CliSuppress,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from pydantic_settings.sources.utils import parse_env_vars
from typing_extensions import TypeAliasType

from application.services.auth import TokenBook, TokenConfigError
from entrypoints.toolsets import DEFAULT_PROFILE, PROFILES, TOOLSETS, ToolSelection, select

ENV_PREFIX = "IBKR_MCP_"
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

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls._of,
            serialization=core_schema.plain_serializer_function_ser_schema(repr),
            json_schema_input_schema=core_schema.str_schema(),
        )

    @classmethod
    def _of(cls, value: object) -> Secret:
        if isinstance(value, Secret):
            return value
        if isinstance(value, str):
            return cls(value)
        raise ValueError("must be text")


class SettingsError(ValueError):
    """A setting that cannot work, with the reason in words an operator can act on."""


def _split(value: object) -> object:
    """A comma-separated list ("a, b") as a tuple; flags given more than once arrive as a list."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        return value
    return tuple(p.strip() for item in items for p in str(item).split(",") if p.strip())


def _upper(value: object) -> object:
    return value.upper() if isinstance(value, str) else value


# Comma-separated lists; the alias's name is the metavar --help shows.
if TYPE_CHECKING:
    Hosts: TypeAlias = tuple[str, ...]
    Origins: TypeAlias = tuple[str, ...]
    Names: TypeAlias = tuple[str, ...]
    Pairs: TypeAlias = tuple[str, ...]
    Windows: TypeAlias = tuple[str, ...]
else:

    def _list(metavar: str) -> object:
        return Annotated[TypeAliasType(metavar, tuple[str, ...]), NoDecode, BeforeValidator(_split)]

    Hosts, Origins, Names = _list("HOST,..."), _list("ORIGIN,..."), _list("NAME,...")
    Pairs, Windows = _list("KEY=VALUE,..."), _list("WINDOW,...")
LogLevel = Annotated[Literal["DEBUG", "INFO", "WARNING", "ERROR"], BeforeValidator(_upper)]

# The variables a test (or an embedding program) gives instead of the process's environment.
_ENVIRON: contextvars.ContextVar[Mapping[str, str] | None] = contextvars.ContextVar(
    "ibkr_mcp_environ", default=None
)


class _Environment(EnvSettingsSource):
    """``IBKR_MCP_*`` variables, from the process's environment or the mapping given."""

    def _load_env_vars(self) -> Mapping[str, str | None]:
        environ = _ENVIRON.get()
        if environ is None:
            return super()._load_env_vars()
        return parse_env_vars(
            environ, self.case_sensitive, self.env_ignore_empty, self.env_parse_none_str
        )


# Settings that only the HTTP server (``serve``) has; ``stdio`` neither shows nor takes them.
HTTP_ONLY = (
    "host", "port", "allowed_hosts", "allowed_origins", "mcp_stateful",
    "mcp_session_idle_timeout", "mcp_max_sessions", "metrics_public", "token_file",
    "max_request_body",
)  # fmt: skip
# Secrets that may be given only through a variable or a file: a command line is public.
ENV_ONLY = ("token",)
# Secrets whose values --help and logs never show.
SECRET_FIELDS = ("token", "ib_gateway_password", "journal_dsn")


class Settings(BaseSettings):
    """An Interactive Brokers account over REST and MCP. With no gateway configured it runs
    on an embedded simulated IB Gateway (no real account, made-up prices).

    commands:
      ibkr-mcp [serve] [flags]   serve REST and MCP over HTTP (the default command)
      ibkr-mcp stdio [flags]     serve MCP over stdin/stdout (for Claude Desktop & co)
      ibkr-mcp simulate [flags]  run only the simulated IB Gateway (TWS API)
      ibkr-mcp --version         print the version

    Every flag can also be set by the environment variable shown with it (a flag wins).
    Lists are comma-separated. (This text is the --help of serve and stdio.)
    """

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_prefix_target="all",  # former names (aliases) are IBKR_MCP_* variables too
        env_ignore_empty=True,  # an empty variable is as good as unset
        validate_by_name=True,
        frozen=True,
        extra="forbid",
        cli_kebab_case=True,
        cli_implicit_flags=True,  # --flag / --no-flag for booleans
        cli_avoid_json=True,
        cli_hide_none_type=True,
        cli_show_env_vars=True,
        cli_exit_on_error=False,  # one line on stderr, exit 2: see entrypoints/cli.py
        cli_shortcuts={"monitor-enabled": "monitor", "maintenance-windows": "maintenance-window"},
    )

    # HTTP front door
    host: str = Field("127.0.0.1", description="address to bind")
    port: int = Field(8000, description="port to bind")
    # Host names this service answers to besides loopback names and --host (DNS rebinding),
    # and web origins whose pages may call it (besides its own; also turns CORS on for them).
    allowed_hosts: Hosts = Field(
        (),
        validation_alias=AliasChoices("allowed_hosts", "mcp_allowed_hosts"),
        description="host names the service answers to besides loopback names and --host, "
        "e.g. api.example.com (DNS rebinding protection; any other Host: 421)",
    )
    allowed_origins: Origins = Field(
        (),
        validation_alias=AliasChoices("allowed_origins", "mcp_allowed_origins"),
        description="web origins whose pages may call the service, e.g. "
        "https://console.example.com (CORS is on for them only; any other site: 403)",
    )
    log_format: Literal["auto", "json", "console"] = Field(
        "auto", description="log lines as JSON or for a console (auto: console on a terminal)"
    )
    log_level: LogLevel = Field("INFO", description="the least severe level logged")
    # MCP over HTTP answers every POST on its own, in JSON (stateless): no session to keep, none
    # to leak, a fraction of the CPU per call. Stateful keeps a session per client (~20 KB)
    # for features that need one (server-to-client requests such as elicitation, resource
    # subscriptions; none used yet): an idle one is closed after this many seconds (the client
    # opens a new one), and at most this many are open at once (a new client beyond that is
    # refused with 503 until one ends or expires).
    mcp_stateful: bool = Field(
        False,
        description="keep an MCP session per client (SSE answers) instead of answering every "
        "MCP request on its own in JSON",
    )
    mcp_session_idle_timeout: float = Field(
        600.0, description="with --mcp-stateful: seconds an idle MCP session is kept"
    )
    mcp_max_sessions: int = Field(
        100, description="with --mcp-stateful: MCP sessions open at once; more are refused"
    )
    # Which tools MCP lists and runs (entrypoints/toolsets.py): a profile, whose toolsets
    # --toolsets replaces when given. REST serves every operation either way. Output schemas
    # more than double tools/list, for clients that check results; off unless asked for.
    tool_profile: str = Field(
        DEFAULT_PROFILE,
        description=f"which MCP tools are listed and callable: {', '.join(PROFILES)} "
        "(REST serves every operation either way; see README, MCP toolsets)",
    )
    toolsets: Names = Field(
        (),
        description="toolsets to offer instead of the profile's: "
        f"{', '.join(TOOLSETS)} (read-only keeps only their queries)",
    )
    mcp_output_schemas: bool = Field(
        False, description="advertise each tool's output schema (they more than double tools/list)"
    )
    # /metrics (Prometheus) needs the bearer token when tokens are configured, unless opened.
    metrics_public: bool = Field(
        False,
        description="serve /metrics (Prometheus) without a bearer token even when tokens are "
        "configured (it shows request counts and connection state, no account data)",
    )
    # Which gateway: None picks simulated, or docker when credentials are given.
    gateway: GatewayMode | None = Field(
        None,
        description="which IB Gateway to use: the embedded simulator (default), a Docker "
        "container managed by this service (default when credentials are given), or one "
        "already running",
    )
    # TWS API session
    ib_host: str = Field("127.0.0.1", description="TWS API host of an external gateway")
    ib_port: int = Field(4002, description="TWS API port of an external gateway (4002: paper)")
    ib_client_id: int = Field(17, description="TWS API client id")
    ib_account: str | None = Field(None, description="account id to use when the login has several")
    connect_timeout: float = Field(20.0, description="seconds to wait for a connect")
    request_timeout: float = Field(10.0, description="seconds per broker request")
    historical_timeout: float = Field(60.0, description="seconds per historical request")
    # Docker gateway
    ib_gateway_username: str | None = Field(None, description="IBKR login for the Docker gateway")
    ib_gateway_password: Secret | None = Field(
        None,
        repr=False,
        description="IBKR password (visible in the process list: prefer "
        "--ib-gateway-password-file or the variable)",
    )
    ib_gateway_password_file: Path | None = Field(
        None, description="file holding the IBKR password"
    )
    gateway_flavor: Literal["gnzsnz", "extrange"] = Field(
        "gnzsnz", description="gateway image family"
    )
    gateway_image: str | None = Field(None, description="override the gateway image")
    gateway_container_name: str = Field("ibkr-gateway", description="gateway container name")
    trading_mode: Literal["paper", "live"] = Field("paper", description="paper or live account")
    gateway_stop_on_exit: bool = Field(
        False,
        description="stop the gateway container when the service exits (else leave it running)",
    )
    # Extra container variables for the image (e.g. TWOFA_TIMEOUT_ACTION=restart), KEY=VALUE.
    gateway_env: Pairs = Field(
        (),
        description="extra variables for the gateway container, e.g. "
        "TWOFA_TIMEOUT_ACTION=restart or 'AUTO_RESTART_TIME=11:59 PM' (not for credentials)",
    )
    # Embedded simulator
    sim_seed: int = Field(7, description="random seed of the embedded simulator")
    sim_account: str = Field("DU1234567", description="account id of the embedded simulator")
    # Health monitor: restarts a gateway whose market data stopped
    monitor_enabled: bool = Field(
        True, description="watch market data and restart a gateway whose data stopped"
    )
    monitor_probe: str = Field(
        "SPY STK SMART USD", description="probe contract 'SYMBOL SECTYPE EXCHANGE CURRENCY'"
    )
    monitor_interval: float = Field(30.0, description="seconds between probes")
    monitor_failure_threshold: int = Field(3, description="failed probes in a row to act on")
    monitor_min_outage: float = Field(120.0, description="seconds without data to act on")
    monitor_max_restarts_per_hour: int = Field(3, description="gateway restarts per hour, at most")
    # "<daily|mon..sun> HH:MM-HH:MM [IANA tz]", comma-separated; "none" turns windows off;
    # empty keeps IB's nightly and weekend reset windows.
    maintenance_windows: Windows = Field(
        (),
        description="no restarts inside, e.g. 'daily 23:45-01:45 America/New_York' ('none' "
        "for no windows; empty: IB's nightly and weekend resets)",
    )
    # Live market data: streaming lines shared by snapshots and streams, within IB's budget
    # of lines for the account (100 by default); an unused line lingers this many seconds.
    market_data_lines: int = Field(
        100,
        description="streaming market data lines this service may hold, shared by snapshots "
        "and streams (IB's default budget per account; leave room for other clients)",
    )
    market_data_linger: float = Field(
        60.0, description="seconds an unused line stays open so the next quote of it is live"
    )
    # Live streams (SSE, MCP subscriptions) a caller may hold at once, events each may leave
    # unread before it is dropped, seconds between SSE keep-alives, and how long an unread
    # cursor subscription lives.
    streams_per_caller: int = Field(8, description="live streams per caller at once")
    stream_buffer: int = Field(
        1000, description="events a stream may leave unread before it is closed as too slow"
    )
    stream_heartbeat: float = Field(15.0, description="seconds between SSE keep-alives")
    subscription_idle_timeout: float = Field(
        300.0, description="seconds an unread cursor subscription lives"
    )
    # Response sizes
    max_option_contracts: int = Field(100, description="option contracts per chain answer")
    max_bars: int = Field(5000, description="bars per historical answer")
    # Who may call: bearer tokens ("name:token" or "token", comma-separated) and/or a file.
    # A variable only: a command line is visible to every user of the machine.
    token: CliSuppress[Secret | None] = Field(None, repr=False)
    token_file: Path | None = Field(
        None,
        description="file of bearer tokens, one 'name:token' a line (or IBKR_MCP_TOKEN); "
        "required to listen on a non-loopback address",
    )
    # What callers may do (see domain.safety.TradingPolicy); None/0 switches a limit off.
    read_only: bool = Field(
        False,
        description="refuse every state-changing operation (orders, previews, cancels, "
        "gateway restart)",
    )
    allow_live_trading: bool = Field(
        False, description="allow placing orders on a live (real-money) account"
    )
    # None: MCP callers need a preview, REST callers do not; live accounts always do.
    require_preview: bool | None = Field(
        None,
        description="place_order needs a confirmation token from preview_order (unset: for "
        "MCP callers and live accounts only)",
    )
    max_order_quantity: float | None = Field(None, description="largest quantity per order")
    max_order_notional: float | None = Field(None, description="largest order value")
    allowed_sec_types: Names | None = Field(None, description="e.g. STK,OPT (unset: all)")
    allowed_symbols: Names | None = Field(None, description="symbols (unset: all)")
    # A runaway agent loop is not harmless: capped by default.
    max_orders_per_minute: int = Field(
        30, description="orders sent per minute (0 switches the cap off)"
    )
    max_previews_per_minute: int = Field(
        60, description="what-if previews sent per minute (0 switches the cap off)"
    )
    audit_file: Path | None = Field(
        None,
        description="JSON-lines audit trail (unset: $XDG_STATE_HOME/ibkr-mcp/audit.jsonl; "
        "audit-simulated.jsonl on the embedded simulator)",
    )
    # Where idempotency keys are kept: sqlite:///path (default: the state directory) or
    # postgresql://user:pass@host/db. A DSN may hold a password: it is a secret.
    journal_dsn: Secret | None = Field(
        None,
        repr=False,
        description="order journal for idempotency keys: sqlite:///path (unset: "
        "$XDG_STATE_HOME/ibkr-mcp/journal.sqlite3) or postgresql://user@host/db (give a "
        "password through the variable or PGPASSWORD, not on the command line)",
    )
    # Keys untouched this many days are forgotten at start-up (a retry comes within minutes).
    journal_retention_days: float = Field(
        30.0, description="days an idempotency key is kept after its last use"
    )
    preview_ttl: float = Field(120.0, description="seconds a confirmation token lasts")
    max_request_body: int = Field(64 * 1024, description="request body limit in bytes")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Values given in code, then the command line (passed in when there is one), then
        # the variables. No .env file: the environment is the service's.
        return init_settings, _Environment(settings_cls)

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


S = TypeVar("S", bound=Settings)


def settings_from_env(environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Settings from ``IBKR_MCP_*`` variables (``environ``, else the process's), with
    ``overrides`` (values given in code; None is no value) on top."""
    return load(Settings, environ=environ, **overrides)


def load(
    cls: type[S],
    *,
    environ: Mapping[str, str] | None = None,
    cli: Any = None,
    **overrides: object,
) -> S:
    """A checked ``cls``: ``overrides`` over the command line (a ``CliSettingsSource`` that has
    parsed it) over the variables over the defaults; a bad value is one :class:`SettingsError`."""
    given = {name: value for name, value in overrides.items() if value is not None}
    with _environment(environ):
        try:
            settings = cls(_cli_settings_source=cli, **given)  # type: ignore[arg-type, call-arg]
        except ValidationError as exc:
            raise SettingsError(explain(exc, cls)) from None
    validate(settings)
    return settings


@contextlib.contextmanager
def _environment(environ: Mapping[str, str] | None) -> Iterator[None]:
    token = _ENVIRON.set(environ)
    try:
        yield
    finally:
        _ENVIRON.reset(token)


_WHAT = {
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "bool_parsing": "must be true or false",
    "literal_error": "must be one of {expected}",
    "extra_forbidden": "is not a setting",
}


def explain(exc: ValidationError, cls: type[BaseSettings] = Settings) -> str:
    """A validation error in one line, naming each setting by its variable and flag."""
    reasons = []
    for error in exc.errors(include_url=False):
        name = str(error["loc"][0]) if error["loc"] else ""
        field = field_of(name, cls)
        flag = f"--{field.replace('_', '-')}"
        prefix = cls.model_config.get("env_prefix")
        if field not in cls.model_fields:
            label = name
        elif not prefix:  # a command with flags only (simulate)
            label = flag
        else:
            label = f"{prefix}{field.upper()}" + ("" if field in ENV_ONLY else f" ({flag})")
        what = _WHAT.get(error["type"], error["msg"].rstrip(".")).format(**error.get("ctx", {}))
        shown = "" if field in SECRET_FIELDS else f", got {str(error.get('input'))[:60]!r}"
        reasons.append(f"{label} {what}{shown}")
    return "; ".join(reasons)


def field_of(name: str, cls: type[BaseSettings]) -> str:
    """The field a validation error names (by the field's name or one of its former names)."""
    for field, info in cls.model_fields.items():
        choices = getattr(info.validation_alias, "choices", ())
        if name == field or name in choices:
            return field
    return name


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

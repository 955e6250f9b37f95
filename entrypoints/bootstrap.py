"""The composition root: the one place that creates adapters and wires them to the core.

Nothing here runs at import time. ``assemble`` builds the parts; ``build_app`` puts the REST
and MCP front doors on one Litestar app whose lifespan starts the gateway, then the broker.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import structlog
from litestar import Litestar
from litestar.handlers import asgi

from adapters.audit.jsonl import JsonlAuditLog
from adapters.journal.dsn import OpenableJournal, open_journal, printable_dsn
from application.clock import SystemClock
from application.container import LiveSettings, Services, build_services
from application.ports import AuditLog, Broker, Clock, GatewayRuntime, MarketFeed, OrderJournal
from application.redaction import RedactingAuditLog
from application.services.health_monitor import HealthMonitor
from application.services.health_policy import MonitorPolicy
from application.services.maintenance import parse_windows
from application.services.order_journal import MemoryOrderJournal
from domain.contract import ContractQuery
from domain.errors import InvalidRequest
from entrypoints.http.site import LOOPBACK_HOSTS, SitePolicy
from entrypoints.logging import REDACTOR
from entrypoints.metrics import CountingAuditLog, ServiceMetrics, broker_states
from entrypoints.safety import trading_policy
from entrypoints.settings import Settings, SettingsError, validate

log = structlog.get_logger("ibkr_mcp.bootstrap")
# A Docker gateway start that fails within this time fails the service start-up.
DOCKER_FAST_FAIL_SECONDS = 5.0


@dataclass
class Assembly:
    """Everything the front doors need, plus the lifecycles the composition root owns."""

    settings: Settings
    services: Services
    broker: Broker
    runtime: GatewayRuntime
    monitor: HealthMonitor | None = None
    metrics: ServiceMetrics = field(default_factory=ServiceMetrics)
    # Started in order on enter, stopped in reverse on exit.
    lifecycles: list[Callable[[], AbstractAsyncContextManager[Any]]] = field(default_factory=list)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Assembly]:
        from contextlib import AsyncExitStack

        async with AsyncExitStack() as stack:
            for lifecycle in self.lifecycles:
                await stack.enter_async_context(lifecycle())
            yield self


def assemble(
    settings: Settings,
    *,
    broker: Broker | None = None,
    gateway: GatewayRuntime | None = None,
    clock: Clock | None = None,
    audit: AuditLog | None = None,
    journal: OrderJournal | None = None,
    feed: MarketFeed | None = None,
) -> Assembly:
    """Build the core around the given adapters, or the ones the settings name.

    Orders follow the settings' trading policy, are recorded in ``audit`` (default: the
    JSON-lines file the settings name) through the service's one redactor (no configured
    secret is written to the trail or read back from it), and their idempotency keys in
    ``journal`` (default: the journal the settings' DSN names). Live data (shared lines,
    streams) comes from ``feed``, by default the IB broker's own feed.
    """
    # Logs, error bodies, MCP tool errors and the audit trail share this one redactor.
    REDACTOR.add(settings.secrets())
    policy = trading_policy(settings)
    metrics = ServiceMetrics()
    lifecycles: list[Callable[[], AbstractAsyncContextManager[Any]]] = []
    the_journal = journal
    if the_journal is None and settings.journal_dsn is None and _own_simulator(settings, gateway):
        # The embedded simulator's orders live as long as this process: so do its keys (a
        # journal on disk would answer a new run's retries with orders the simulator forgot).
        the_journal = MemoryOrderJournal()
    if the_journal is None:
        durable = _make_journal(settings)
        the_journal = durable
        lifecycles.append(lambda: _journal_lifecycle(durable, settings))
    runtime = gateway
    if runtime is None:
        runtime = _make_runtime(settings)
        lifecycles.append(lambda: _gateway_lifecycle(runtime, settings))
    the_broker = broker
    supervisor = None
    if the_broker is None:
        ib_broker = _make_broker(settings, runtime)
        the_broker = ib_broker
        lifecycles.append(lambda: _broker_lifecycle(ib_broker))
        supervisor = ib_broker.supervisor
        supervisor.on_connect(lambda ib: _count_session(ib, metrics))
        feed = feed if feed is not None else ib_broker.feed
    monitor = None
    if broker is None and gateway is None and settings.monitor_enabled:
        monitor = _make_monitor(settings, the_broker, runtime, clock)
        lifecycles.append(lambda: monitor)
        # A session that (re)connects, or IB saying its connection or a farm is back, may end
        # an outage: probe then, so that readiness does not wait for the next interval.
        wake = monitor.wake
        ib_broker.supervisor.on_connect(lambda _ib: wake())
        ib_broker.supervisor.on_ib_notice(wake)
        monitor.on_decision(lambda decision: metrics.monitor_decisions.labels(decision).inc())
    metrics.watch(broker_states(supervisor, runtime, monitor))
    services = build_services(
        the_broker,
        runtime,
        clock,
        max_option_contracts=settings.max_option_contracts,
        max_bars=settings.max_bars,
        monitor=monitor,
        policy=policy,
        audit=CountingAuditLog(
            RedactingAuditLog(
                audit if audit is not None else JsonlAuditLog(settings.audit_path()),
                REDACTOR.known,
            ),
            metrics,
        ),
        preview_ttl=settings.preview_ttl,
        journal=the_journal,
        secrets=REDACTOR.known,
        feed=feed,
        live=live_settings(settings),
    )
    streams, subscriptions = services.streams, services.subscriptions
    if streams is not None:
        sweeps = [subscriptions.sweep] if subscriptions is not None else []
        lifecycles.append(lambda: _upkeep(streams.run_upkeep(*sweeps)))
    return Assembly(
        settings=settings,
        services=services,
        broker=the_broker,
        runtime=runtime,
        monitor=monitor,
        metrics=metrics,
        lifecycles=lifecycles,
    )


def build_app(
    settings: Settings,
    *,
    broker: Broker | None = None,
    gateway: GatewayRuntime | None = None,
    clock: Clock | None = None,
    audit: AuditLog | None = None,
    journal: OrderJournal | None = None,
) -> Litestar:
    """The service as one ASGI app: REST at /, MCP (streamable HTTP) at /mcp.

    Every request but the liveness probe must name a Host the service serves and come from
    no other site's page (Origin); with tokens configured, it needs one too (/mcp and /docs
    included).
    """
    from entrypoints.http.app import create_http_app
    from entrypoints.http.mcp_door import McpDoor

    validate(settings)  # also when built from a Settings made in code: refuse what is unsafe
    tokens = settings.tokens()
    assembly = assemble(
        settings, broker=broker, gateway=gateway, clock=clock, audit=audit, journal=journal
    )
    selection = settings.tool_selection()  # a bad toolset is refused now, not at first use
    site = site_policy(settings)

    def build_mcp_app() -> Any:
        from entrypoints.mcp.http import mcp_asgi_app
        from entrypoints.mcp.server import build_mcp

        mcp = build_mcp(
            assembly.services,
            max_option_contracts=settings.max_option_contracts,
            read_only=settings.read_only,
            selection=selection,
            output_schemas=settings.mcp_output_schemas,
            metrics=assembly.metrics,
        )
        # The app-wide guard (entrypoints/http/guard.py) checks Host and Origin before any
        # request reaches /mcp: FastMCP's own guard would check the same headers again.
        return mcp_asgi_app(
            mcp,
            allowed_hosts=[*LOOPBACK_HOSTS, *site.allowed_hosts],
            allowed_origins=list(site.allowed_origins),
            stateful=settings.mcp_stateful,
            session_idle_timeout=settings.mcp_session_idle_timeout,
            max_sessions=settings.mcp_max_sessions,
            check_sites=False,
        )

    # FastMCP loads after the service is up (entrypoints/http/mcp_door.py): REST is ready
    # without waiting for it, an early /mcp request waits for the door.
    def freeze_what_it_loaded() -> None:  # it lives as long as the process, as below
        gc.collect()
        gc.freeze()

    door = McpDoor(build_mcp_app, on_open=freeze_what_it_loaded)
    # The door's imports share the CPU with start-up: they begin once the monitor's first
    # probe after the broker's first session has decided (the service is ready or knows why
    # not), at most DOOR_DELAY later.
    probed = asyncio.Event()
    if assembly.monitor is not None:

        def decided(decision: str) -> None:
            if decision != "waiting_for_broker":
                probed.set()

        assembly.monitor.on_decision(decided)
    else:
        probed.set()

    async def serve_door() -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(DOOR_DELAY):
                await probed.wait()
        await door.serve()

    @asynccontextmanager
    async def mcp_lifespan(_app: Litestar) -> AsyncIterator[None]:
        serving = asyncio.create_task(serve_door(), name="mcp-door")
        try:
            yield
        finally:
            door.close()
            try:
                async with asyncio.timeout(DOOR_CLOSE_SECONDS):
                    await asyncio.shield(serving)
            except TimeoutError:  # still importing, or its sessions would not end
                serving.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await serving

    @asynccontextmanager
    async def core_lifespan(_app: Litestar) -> AsyncIterator[None]:
        async with assembly.running():
            # What start-up built (modules, the app, the catalog) lives as long as the
            # process: keep it out of the collector's full passes, which otherwise stop the
            # event loop for ~0.1 s several times a minute under load.
            gc.collect()
            gc.freeze()
            try:
                yield
            finally:
                gc.unfreeze()  # an app built again in this process (tests) starts afresh

    mount = asgi("/mcp", is_mount=True, copy_scope=True)(door)
    app = create_http_app(
        assembly.services,
        lifespan=[core_lifespan, mcp_lifespan],
        mounts=[mount],
        tokens=tokens,
        max_body=settings.max_request_body,
        site=site,
        metrics=assembly.metrics,
        metrics_public=settings.metrics_public,
        stream_heartbeat=settings.stream_heartbeat,
    )
    app.state["assembly"] = assembly
    return app


# Seconds the MCP door waits for the first health probe before it loads anyway.
DOOR_DELAY = 2.0
# Seconds the MCP door gets to end its sessions when the service stops.
DOOR_CLOSE_SECONDS = 5.0


def live_settings(settings: Settings) -> LiveSettings:
    return LiveSettings(
        lines=settings.market_data_lines,
        linger=settings.market_data_linger,
        streams_per_caller=settings.streams_per_caller,
        buffer=settings.stream_buffer,
        subscription_idle=settings.subscription_idle_timeout,
        quote_timeout=settings.request_timeout,
    )


@asynccontextmanager
async def _upkeep(loop: Coroutine[Any, Any, None]) -> AsyncIterator[None]:
    """Run the live data upkeep (lingering lines, expired subscriptions) while serving; on
    the way out it closes every stream and line, before the broker stops."""
    task = asyncio.create_task(loop, name="live-data-upkeep")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def site_policy(settings: Settings) -> SitePolicy:
    """Who may call, by Host and Origin: loopback names, ``--host`` and ``--allowed-hosts``;
    the service's own origin and ``--allowed-origins`` (which also get CORS)."""
    return SitePolicy.serving(
        settings.host,
        allowed_hosts=settings.allowed_hosts,
        allowed_origins=[o.lower() for o in settings.allowed_origins],
    )


def _own_simulator(settings: Settings, gateway: GatewayRuntime | None) -> bool:
    return gateway is None and settings.gateway_mode == "simulated"


def _make_journal(settings: Settings) -> OpenableJournal:
    try:
        return open_journal(settings.journal(), retention_days=settings.journal_retention_days)
    except ValueError as exc:
        raise SettingsError(f"journal_dsn: {exc}") from None


@asynccontextmanager
async def _journal_lifecycle(journal: OpenableJournal, settings: Settings) -> AsyncIterator[None]:
    where = printable_dsn(settings.journal())
    try:
        await journal.open()
    except Exception as exc:
        raise SettingsError(f"Cannot open the order journal {where}: {exc}") from exc
    log.info("journal.ready", journal=where)
    try:
        yield
    finally:
        await journal.close()


def _make_runtime(settings: Settings) -> GatewayRuntime:
    mode = settings.gateway_mode
    if mode == "simulated":
        from adapters.simulated_gateway import SimulatedGateway

        return SimulatedGateway(seed=settings.sim_seed, account=settings.sim_account)
    if mode == "external":
        from adapters.external.gateway import ExternalGateway

        return ExternalGateway(settings.ib_host, settings.ib_port)
    from adapters.docker.gateway import DockerGateway
    from adapters.docker.profiles import DockerGatewaySettings, reserved_env_keys

    extra = settings.gateway_extra_env()
    clashes = sorted(extra.keys() & reserved_env_keys(settings.gateway_flavor))
    if clashes:
        raise SettingsError(
            f"--gateway-env must not set {', '.join(clashes)}: the service sets "
            f"{'it' if len(clashes) == 1 else 'them'} from its own options (credentials, "
            "--trading-mode, read-only API)"
        )
    return DockerGateway(
        DockerGatewaySettings(
            flavor=settings.gateway_flavor,
            image=settings.gateway_image,
            container_name=settings.gateway_container_name,
            trading_mode=settings.trading_mode,
            username=settings.ib_gateway_username,
            password=settings.ib_gateway_password.reveal()
            if settings.ib_gateway_password
            else None,
            password_file=settings.ib_gateway_password_file,
            stop_on_exit=settings.gateway_stop_on_exit,
            env=extra,
        )
    )


def _make_monitor(
    settings: Settings, broker: Broker, runtime: GatewayRuntime, clock: Clock | None
) -> HealthMonitor:
    symbol, sec_type, exchange, currency = settings.monitor_probe.split()
    try:
        windows = parse_windows(
            [w for w in settings.maintenance_windows if w.strip().lower() != "none"]
        )
    except InvalidRequest as exc:
        raise SettingsError(f"maintenance window: {exc.message}") from None
    policy = MonitorPolicy(
        probe=ContractQuery(symbol=symbol, sec_type=sec_type, exchange=exchange, currency=currency),
        interval=settings.monitor_interval,
        failure_threshold=settings.monitor_failure_threshold,
        min_outage=settings.monitor_min_outage,
        max_restarts_per_hour=settings.monitor_max_restarts_per_hour,
        # A gateway we do not run cannot be restarted: watch and report only.
        allow_restart=settings.gateway_mode != "external",
    )
    if settings.maintenance_windows:
        policy = dataclasses.replace(policy, windows=windows)
    return HealthMonitor(broker, runtime, clock or SystemClock(), policy)


def _make_broker(settings: Settings, runtime: GatewayRuntime) -> Any:
    from adapters.ib.broker import IbBroker, IbSettings

    return IbBroker(
        IbSettings(
            host=settings.ib_host,
            port=settings.ib_port,
            client_id=settings.ib_client_id,
            account=settings.ib_account,
            connect_timeout=settings.connect_timeout,
            request_timeout=settings.request_timeout,
            historical_timeout=settings.historical_timeout,
            # A second line of defence: the adapter itself refuses orders too.
            readonly=settings.read_only,
        ),
        endpoint=runtime.api_endpoint,
    )


@asynccontextmanager
async def _gateway_lifecycle(runtime: GatewayRuntime, settings: Settings) -> AsyncIterator[None]:
    mode = settings.gateway_mode
    if mode == "simulated":
        log.warning(
            "gateway.simulated",
            message="Using the embedded SIMULATED IB Gateway: no real account, made-up prices",
        )
    starting: asyncio.Task[None] | None = None
    if mode == "docker":
        # Pulling an image and logging in (2FA) can take minutes: serve meanwhile, so that
        # /gateway/status shows the phase and /gateway/logs the login. Errors that show at
        # once (Docker unreachable, a foreign container) still stop the start-up.
        starting = asyncio.create_task(runtime.start(), name="gateway-start")
        await asyncio.wait({starting}, timeout=DOCKER_FAST_FAIL_SECONDS)
        if starting.done():
            starting.result()
            _log_ready(runtime, mode)
        else:
            log.info("gateway.starting", mode=mode, message="serving while the gateway starts")
            starting.add_done_callback(lambda task: _log_outcome(task, runtime, mode))
    else:
        await runtime.start()
        _log_ready(runtime, mode)
    try:
        yield
    finally:
        if starting is not None and not starting.done():
            starting.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await starting
        shutdown = getattr(runtime, "shutdown", None)
        if shutdown is not None:
            await shutdown()
        elif mode == "simulated":
            await runtime.stop()


def _log_ready(runtime: GatewayRuntime, mode: str) -> None:
    host, port = runtime.api_endpoint()
    log.info("gateway.ready", mode=mode, api_host=host, api_port=port)


def _log_outcome(task: asyncio.Task[None], runtime: GatewayRuntime, mode: str) -> None:
    if task.cancelled():
        return
    error = task.exception()
    if error is None:
        _log_ready(runtime, mode)
    else:
        # Status keeps phase "failed" with the reason; /health stays not ready.
        log.error("gateway.start_failed", mode=mode, reason=str(error))


def _count_session(ib: Any, metrics: ServiceMetrics) -> None:
    metrics.ib_connects.inc()
    ib.client.throttleStart += metrics.ib_throttled.inc


@asynccontextmanager
async def _broker_lifecycle(broker: Any) -> AsyncIterator[None]:
    await broker.start()
    try:
        yield
    finally:
        await broker.stop()

"""Prometheus metrics for the service: what both doors answered, and how IB and the gateway fare.

One ``ServiceMetrics`` per service (its own registry: two apps in one process never mix their
counts). Counters move where things happen — a hook per door (``entrypoints/http/observe.py``
for REST, ``entrypoints/mcp/middleware.py`` for MCP), the audit trail for order actions, the
connection supervisor for (re)connects and throttling, the health monitor for its decisions —
and states (connection, throttle queue, gateway restarts, market data freshness) are read
when Prometheus scrapes. Labels are bounded: operation ids, tool names, statuses; never paths.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, get_args

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from application.ports import AuditLog
from domain.connection import ConnectionState
from domain.safety import AuditEntry

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Broker calls are bounded by --request-timeout (10 s) and historical ones by 60 s.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
CONNECTION_STATES: tuple[str, ...] = get_args(ConnectionState)


class ServiceMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "ibkr_mcp_requests",
            "Requests answered, by door (rest, mcp), operation id (tool name) and status "
            "(the HTTP status; ok or error for MCP tool calls)",
            ["door", "operation", "status"],
            registry=r,
        )
        self.latency = Histogram(
            "ibkr_mcp_request_duration_seconds",
            "Time to answer a request, by door and operation id",
            ["door", "operation"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.order_actions = Counter(
            "ibkr_mcp_order_actions",
            "Order actions recorded in the audit trail, by action (preview, place, cancel, "
            "refusal), operation and result (ok, or the error code)",
            ["action", "operation", "result"],
            registry=r,
        )
        self.ib_connects = Counter(
            "ibkr_mcp_ib_connects",
            "TWS API sessions established with the gateway (reconnects: all but the first)",
            registry=r,
        )
        self.ib_throttled = Counter(
            "ibkr_mcp_ib_throttle_waits",
            "Times requests to IB had to queue behind ib_async's throttle (45 per second)",
            registry=r,
        )
        self.monitor_decisions = Counter(
            "ibkr_mcp_health_monitor_decisions",
            "Health monitor probe outcomes and what it decided (e.g. probe_ok, probe_failed, "
            "restart, restart_failed, suppressed_window), by decision",
            ["decision"],
            registry=r,
        )

        self.open_streams = Gauge(
            "ibkr_mcp_open_streams",
            "Live streams open now (REST server-sent events), by stream operation id",
            ["operation"],
            registry=r,
        )
        self.streams_ended = Counter(
            "ibkr_mcp_streams_ended",
            "Live streams that ended, by stream operation id and why: client (the reader "
            "left), slow (dropped: it fell too far behind), ended (IB or the service ended it)",
            ["operation", "reason"],
            registry=r,
        )

    def observe(self, door: str, operation: str, status: str, seconds: float) -> None:
        self.requests.labels(door, operation, status).inc()
        self.latency.labels(door, operation).observe(seconds)

    def watch(self, read: Callable[[], Iterator[Metric]]) -> None:
        """Add states read at scrape time (``read`` yields metric families)."""
        self.registry.register(_Reader(read))

    def render(self) -> bytes:
        return generate_latest(self.registry)


class _Reader(Collector):
    def __init__(self, read: Callable[[], Iterator[Metric]]) -> None:
        self._read = read

    def collect(self) -> Iterator[Metric]:
        yield from self._read()

    def describe(self) -> list[Metric]:
        return []  # read at scrape time only: nothing to check at registration


class CountingAuditLog:
    """An audit trail that counts what it records (``ibkr_mcp_order_actions``)."""

    def __init__(self, inner: AuditLog, metrics: ServiceMetrics) -> None:
        self._inner = inner
        self._metrics = metrics

    async def append(self, entry: AuditEntry) -> None:
        await self._inner.append(entry)
        result = "ok" if entry.error is None else entry.error.code
        self._metrics.order_actions.labels(entry.action, entry.operation, result).inc()

    async def recent(self, limit: int) -> list[AuditEntry]:
        return await self._inner.recent(limit)


def broker_states(supervisor: Any, runtime: Any, monitor: Any) -> Callable[[], Iterator[Metric]]:
    """Scrape-time states of the IB session (``supervisor``: ``adapters.ib``'s connection
    supervisor, None with an injected broker), the gateway and the health monitor."""

    def read() -> Iterator[Metric]:
        if supervisor is not None:
            yield from _session(supervisor)
        yield from _gateway(runtime, monitor)

    return read


def _session(supervisor: Any) -> Iterator[Metric]:
    state = GaugeMetricFamily(
        "ibkr_mcp_ib_connection_state",
        "1 for the state the TWS API session is in",
        labels=["state"],
    )
    current = str(supervisor.state)
    for name in sorted({*CONNECTION_STATES, current}):
        state.add_metric([name], 1.0 if name == current else 0.0)
    yield state
    ib = getattr(supervisor, "ib", None)
    client = getattr(ib, "client", None)
    queue = getattr(client, "_msgQ", None)  # ib_async's throttle queue (no public view)
    yield GaugeMetricFamily(
        "ibkr_mcp_ib_throttle_queue_depth",
        "Messages waiting in ib_async's throttle to be sent to IB",
        value=float(len(queue)) if queue is not None else 0.0,
    )
    received = getattr(client, "_numMsgRecv", None)
    if received is not None:
        yield GaugeMetricFamily(
            "ibkr_mcp_ib_session_messages_received",
            "Messages received from IB in the current session",
            value=float(received),
        )


def _gateway(runtime: Any, monitor: Any) -> Iterator[Metric]:
    restarts = getattr(runtime, "restart_count", None)
    if isinstance(restarts, int):
        yield CounterMetricFamily(
            "ibkr_mcp_gateway_restarts",
            "Gateway restarts this service made (API, health monitor)",
            value=float(restarts),
        )
    if monitor is not None:
        seen = monitor.state()
        yield GaugeMetricFamily(
            "ibkr_mcp_market_data_fresh",
            "1 while the health monitor's last probes saw prices",
            value=1.0 if seen.data_fresh else 0.0,
        )
        yield GaugeMetricFamily(
            "ibkr_mcp_health_monitor_consecutive_failures",
            "Failed market data probes in a row",
            value=float(seen.consecutive_failures),
        )

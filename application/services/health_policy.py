"""What the health monitor watches, when it restarts the gateway, and what it reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import msgspec

from application.services.maintenance import DEFAULT_WINDOWS, MaintenanceWindow
from domain.contract import ContractQuery


def default_probe() -> ContractQuery:
    return ContractQuery(symbol="SPY", sec_type="STK", exchange="SMART", currency="USD")


@dataclass(frozen=True, kw_only=True)
class MonitorPolicy:
    """Thresholds of the market-data watchdog; every duration is in seconds.

    A restart needs ``failure_threshold`` failed probes in a row *and* ``min_outage`` seconds
    since the first of them (``disconnected_min_outage`` while the broker is disconnected, so
    the broker's own reconnect loop gets its chance first). After a restart the next one waits
    ``backoff_initial * 2**n`` (capped at ``backoff_max``); the ladder starts again once data
    has flowed for ``backoff_reset_after``. At most ``max_restarts_per_hour`` in any hour, and
    none inside a maintenance window.
    """

    probe: ContractQuery = field(default_factory=default_probe)
    interval: float = 30.0
    # Probe interval while data is missing (and before the first good probe).
    retry_interval: float = 5.0
    probe_timeout: float = 20.0
    # A snapshot stamped longer ago than this counts as no data (None: do not check).
    max_quote_age: float | None = 300.0
    failure_threshold: int = 3
    min_outage: float = 120.0
    disconnected_min_outage: float = 300.0
    restart_timeout: float = 300.0
    reconnect_timeout: float = 60.0
    verify_attempts: int = 6
    verify_interval: float = 10.0
    backoff_initial: float = 300.0
    backoff_max: float = 3600.0
    backoff_reset_after: float = 1800.0
    max_restarts_per_hour: int = 3
    # False: watch and report only (a gateway we cannot restart, e.g. an external one).
    allow_restart: bool = True
    windows: tuple[MaintenanceWindow, ...] = DEFAULT_WINDOWS

    def __post_init__(self) -> None:
        if self.failure_threshold < 1 or self.max_restarts_per_hour < 0:
            raise ValueError("failure_threshold >= 1 and max_restarts_per_hour >= 0 please")
        if self.interval <= 0 or self.backoff_initial <= 0 or self.verify_attempts < 1:
            raise ValueError("interval, backoff_initial > 0 and verify_attempts >= 1 please")


class MonitorState(msgspec.Struct, frozen=True, kw_only=True):
    """The monitor's view of market data, for /health and for people reading it."""

    running: bool
    data_fresh: bool
    last_probe_at: datetime | None
    last_data_at: datetime | None
    outage_since: datetime | None
    consecutive_failures: int
    restarts_last_hour: int
    restarts_total: int
    last_restart_at: datetime | None
    next_restart_not_before: datetime | None
    last_decision: str
    last_reason: str
    probe_symbol: str

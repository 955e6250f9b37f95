"""The market-data watchdog: restart the gateway when data has stopped, and only then.

A restart can cost a 2FA prompt, so the monitor is conservative: it restarts only after
several failed probes spread over a minimum time, never while data flows, never inside IB's
maintenance windows, with exponential back-off between restarts and a cap per hour. Every
decision is logged with its reason. ``check_once`` is one step; the background loop calls it
every ``policy.interval`` seconds (tests call it directly with a fake clock).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime
from types import TracebackType

import structlog

from application.clock import sleep_or_wake
from application.ports import Broker, Clock, GatewayRuntime
from application.services.health_policy import MonitorPolicy, MonitorState
from application.services.health_probe import MarketDataProbe, ProbeResult
from application.services.health_restarts import RestartBudget
from application.services.maintenance import active_window
from application.services.market_lines import QuoteLines
from domain.errors import DomainError

log = structlog.get_logger("ibkr_mcp.health_monitor")

# Phases in which the gateway is already coming up or waits for someone to log in (2FA):
# a restart would only start that over.
_BUSY_PHASES = frozenset({"pulling", "starting", "waiting_for_login"})


class HealthMonitor:
    def __init__(
        self, broker: Broker, runtime: GatewayRuntime, clock: Clock, policy: MonitorPolicy
    ) -> None:
        self._broker = broker
        self._runtime = runtime
        self._clock = clock
        self.policy = policy
        self._probe = MarketDataProbe(
            broker,
            policy.probe,
            clock=clock,
            timeout=policy.probe_timeout,
            max_age=policy.max_quote_age,
        )
        self._task: asyncio.Task[None] | None = None
        self._failures = 0
        self._outage_started: float | None = None  # monotonic time of the first failed probe
        self._fresh_since: float | None = None  # start of the current run of good probes
        self._last_ok: float | None = None
        # A probe has found the broker anything but on its way to its first session.
        self._broker_seen = False
        self._budget = RestartBudget(policy, clock)
        self._last_probe_at: datetime | None = None
        self._last_data_at: datetime | None = None
        self._outage_since: datetime | None = None
        self._decision = "not_started"
        self._reason = "no probe yet"
        self._wake = asyncio.Event()
        self._decision_hooks: list[Callable[[str], None]] = []

    def read_lines(self, lines: QuoteLines) -> None:
        """Let probes read a live line of the probe contract instead of asking IB."""
        self._probe.read_lines(lines)

    # -- life cycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="health-monitor")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def __aenter__(self) -> HealthMonitor:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def _run(self) -> None:
        while True:
            try:
                await self.check_once()
            except Exception as exc:  # the watchdog must outlive any one bad step
                self._decide("error", f"monitor step failed: {exc!r}", level="error", exc_info=exc)
            # While data is missing, look again sooner: recovery (and readiness at start-up,
            # before the broker has connected) shows within seconds. Restarts stay gated by
            # failure_threshold *and* min_outage, so probing faster does not restart sooner.
            fresh = self._failures == 0 and self._last_ok is not None
            await self._pause(
                self.policy.interval
                if fresh
                else min(self.policy.interval, self.policy.retry_interval)
            )

    async def _pause(self, seconds: float) -> None:
        """Sleep until the next probe; ``wake()`` cuts it short."""
        await sleep_or_wake(self._clock, seconds, self._wake)

    def wake(self) -> None:
        """Probe now rather than at the next interval, if the last probe found no data.

        For events that may have ended an outage (the broker connected, IB said its
        connection or a data farm is back): readiness then follows within one probe. While
        data is fresh it does nothing, so chatty notices cost no extra requests, and restarts
        stay gated by the failure count *and* the minimum outage time.
        """
        if self._failures > 0 or self._last_ok is None:
            self._wake.set()

    # -- one step -------------------------------------------------------------------------------

    async def check_once(self) -> str:
        """Probe once and act on the result; returns the decision (also logged)."""
        try:
            result = await self._probe.run()
        except Exception as exc:
            # Our own bug or an unmapped adapter error: say so, but never restart for it.
            # The traceback once per streak: one every interval would drown the log.
            first = self._decision != "probe_error"
            return self._decide(
                "probe_error",
                f"probe raised {exc!r}",
                level="error",
                exc_info=exc if first else None,
            )
        self._last_probe_at = self._clock.now()
        self._broker_seen = self._broker_seen or not result.connecting
        if result.ok:
            return self._data_flows(result.reason)
        return await self._data_missing(result)

    def _data_flows(self, reason: str) -> str:
        now = self._clock.monotonic()
        self._failures = 0
        self._outage_started = None
        self._outage_since = None
        self._last_data_at = self._clock.now()
        self._last_ok = now
        if self._fresh_since is None:
            self._fresh_since = now
        self._budget.data_flowing(now - self._fresh_since)
        return self._decide("probe_ok", reason, level="debug")

    async def _data_missing(self, result: ProbeResult) -> str:
        now = self._clock.monotonic()
        self._failures += 1
        self._fresh_since = None
        if self._outage_started is None:
            self._outage_started = now
            self._outage_since = self._clock.now()
        outage = now - self._outage_started
        needed = self.policy.min_outage
        if result.disconnected:
            needed = max(needed, self.policy.disconnected_min_outage)
        missing = f"{result.reason} ({self._failures} failed probes over {outage:.1f} s)"
        if self._failures < self.policy.failure_threshold or outage < needed:
            if result.connecting and not self._broker_seen:
                # Start-up: the broker's first session is on its way, nothing has failed
                # yet. Counted like a failed probe (a gateway that never comes up is still
                # restarted in time), but said as what it is, not as a warning.
                return self._decide(
                    "waiting_for_broker", f"{missing}; probing again once it connects", level="info"
                )
            return self._decide(
                "probe_failed",
                f"{missing}; a restart needs {self.policy.failure_threshold} failed probes "
                f"over {needed:g} s",
            )
        blocked = await self._blocker()
        if blocked is not None:
            decision, why = blocked
            return self._decide(decision, f"{missing}; no restart: {why}")
        return await self._restart(missing)

    async def _blocker(self) -> tuple[str, str] | None:
        """Why a restart must not happen now, if it must not."""
        if not self.policy.allow_restart:
            return "suppressed_disabled", "restarts are turned off for this gateway"
        window = active_window(self._clock.now(), self.policy.windows)
        if window is not None:
            return "suppressed_window", f"inside maintenance window {window.describe()}"
        refusal = self._budget.refusal()
        if refusal is not None:
            return refusal
        try:
            status = await self._runtime.status()
        except DomainError:
            return None  # the restart will say what is wrong
        if status.phase in _BUSY_PHASES:
            return "suppressed_gateway_busy", f"the gateway is {status.phase}"
        return None

    # -- the restart ----------------------------------------------------------------------------

    async def _restart(self, why: str) -> str:
        delay = self._budget.spend()
        self._decide("restart", f"{why}; restarting the gateway (next one {delay:g} s later)")
        outcome = "restart_failed"
        try:
            outcome = await self._restart_and_verify()
        finally:
            # back-off counts from the end of this restart, whatever happened in it
            self._budget.pause(delay)
            if outcome != "recovered":  # the next restart needs a whole new outage
                self._failures = 0
                self._outage_started = self._clock.monotonic()
                self._outage_since = self._clock.now()
        return outcome

    async def _restart_and_verify(self) -> str:
        p = self.policy
        try:
            async with asyncio.timeout(p.restart_timeout):
                await self._runtime.restart()
        except TimeoutError:
            return self._decide("restart_failed", f"restart took over {p.restart_timeout:g} s")
        except DomainError as exc:
            return self._decide("restart_failed", f"restart failed: {exc.message}")
        try:
            async with asyncio.timeout(p.reconnect_timeout):
                await self._broker.reconnect()
        except (TimeoutError, DomainError) as exc:
            # not fatal: the broker keeps reconnecting on its own, the probes below will tell
            reason = getattr(exc, "message", None) or f"no session in {p.reconnect_timeout:g} s"
            self._decide("reconnect_pending", f"gateway restarted, broker not back yet: {reason}")
        for attempt in range(1, p.verify_attempts + 1):
            result = await self._probe.run()
            if result.ok:
                self._data_flows(result.reason)
                return self._decide(
                    "recovered", f"data flows again after restart: {result.reason}", level="info"
                )
            if attempt < p.verify_attempts:
                await self._clock.sleep(p.verify_interval)
        return self._decide(
            "not_recovered",
            f"no data after restart ({p.verify_attempts} probes): {result.reason}",
        )

    # -- state ----------------------------------------------------------------------------------

    def on_decision(self, hook: Callable[[str], None]) -> None:
        """Call ``hook(decision)`` after every probe's decision (e.g. to count them)."""
        self._decision_hooks.append(hook)

    def _decide(
        self,
        decision: str,
        reason: str,
        *,
        level: str = "warning",
        exc_info: BaseException | None = None,
    ) -> str:
        self._decision, self._reason = decision, reason
        extra = {"exc_info": exc_info} if exc_info is not None else {}
        getattr(log, level)(
            "health_monitor.decision",
            decision=decision,
            reason=reason,
            consecutive_failures=self._failures,
            probe=self._probe.label,
            **extra,
        )
        for hook in self._decision_hooks:
            hook(decision)
        return decision

    def _data_fresh(self, now: float) -> bool:
        """Fresh: the last probe saw prices, and recently enough (a stalled loop is not fresh)."""
        if self._fresh_since is None or self._last_ok is None:
            return False
        return now - self._last_ok <= 2 * self.policy.interval + self.policy.probe_timeout

    def state(self) -> MonitorState:
        """Where the watchdog stands: data freshness, failures, restarts, its last decision."""
        return MonitorState(
            running=self._task is not None and not self._task.done(),
            data_fresh=self._data_fresh(self._clock.monotonic()),
            last_probe_at=self._last_probe_at,
            last_data_at=self._last_data_at,
            outage_since=self._outage_since,
            consecutive_failures=self._failures,
            restarts_last_hour=self._budget.last_hour(),
            restarts_total=self._budget.total,
            last_restart_at=self._budget.last_at,
            next_restart_not_before=self._budget.not_before(),
            last_decision=self._decision,
            last_reason=self._reason,
            probe_symbol=self._probe.label,
        )

"""Connection supervision: keep one TWS API session alive, for ever, and say how it is doing.

Start never fails: when the gateway is down the supervisor keeps trying in the background with
exponential back-off (1 s -> 60 s, jittered). A drop (socket closed) is one reconnect even when
ib_async fires ``disconnectedEvent`` twice. IB's own notices never tear the socket down:
1100 marks the session degraded, 1101/1102 restore it (1101 also restores market data
subscriptions), data-farm notices only update the status.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Callable

import structlog
from ib_async import IB

from adapters.ib import errors
from adapters.ib.backoff import Backoff
from adapters.ib.connect import ClientIdInUse, connect_session
from adapters.ib.notices import IbNotices
from adapters.ib.session_state import SessionRecord
from adapters.ib.settings import IbSettings
from application.clock import sleep_or_wake
from application.ports import Clock
from domain.connection import ConnectionState, ConnectionStatus, IbNotice
from domain.errors import NotConnected

log = structlog.get_logger("ibkr_mcp.ib.supervisor")

Hook = Callable[[IB], None]


class ConnectionSupervisor:
    def __init__(
        self,
        settings: IbSettings,
        *,
        clock: Clock,
        endpoint: Callable[[], tuple[str, int]] | None = None,
        ib_factory: Callable[[], IB] = IB,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self._settings = settings
        self._clock = clock
        self._endpoint = endpoint or (lambda: (settings.host, settings.port))
        self._ib_factory = ib_factory
        self._backoff = Backoff(
            settings.backoff_initial, settings.backoff_max, settings.backoff_jitter, rng
        )
        self.ib: IB | None = None
        self.record = SessionRecord(clock, settings.client_id, settings.host, settings.port)
        self.notices = IbNotices(
            on_lost=self._connectivity_lost,
            on_restored=self._restored,
            now=clock.now,
            on_farm=lambda _farm: self._notice_changed(),
        )
        self.farms = self.notices.farms
        self.error_counts = self.notices.error_counts
        self.watch = self.notices.watch
        self.attempts = 0
        self._connect_hooks: list[Hook] = []
        self._data_lost_hooks: list[Hook] = []
        self._notice_hooks: list[Callable[[], None]] = []
        self._stale_hooks: list[Callable[[str], None]] = []
        self._task: asyncio.Task[None] | None = None
        self._lost = asyncio.Event()
        self._wake = asyncio.Event()
        self._forced = False
        self._finished_attempts = 0
        self._next_attempt_at: float | None = None

    # -- life cycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        """Begin connecting in the background; returns at once even if the gateway is down."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="ib-connection-supervisor")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._teardown("supervisor stopped")
        self.record.set("disconnected", "Stopped")

    async def reconnect(self) -> None:
        """Drop the session (if any) and connect again now; raise NotConnected if that fails."""
        seen = self._finished_attempts
        self._forced = True
        self._lost.set()
        self._wake.set()
        if self._task is None or self._task.done():
            await self.start()
        await self.record.until(
            lambda: self._finished_attempts > seen, self._settings.connect_timeout + 2
        )
        if not self.connected:
            raise NotConnected(self.record.why_not(), retry_after=self._retry_after())

    async def wait_connected(self, limit: float) -> bool:
        """True once the session is up (for start-up and tests); False after ``limit`` s."""
        return await self.record.until(lambda: self.connected, limit)

    @property
    def state(self) -> ConnectionState:
        return self.record.state

    @property
    def last_error(self) -> str | None:
        return self.record.last_error

    @property
    def connected(self) -> bool:
        ib = self.ib
        return self.state in ("connected", "degraded") and ib is not None and ib.isConnected()

    # -- what callers use -----------------------------------------------------------------------

    def require(self, *, trading: bool = False) -> IB:
        """The live session, or NotConnected at once (requests are never queued for later)."""
        ib = self.ib
        if not self.connected or ib is None:
            raise NotConnected(self.record.why_not(), retry_after=self._retry_after())
        if trading and self.state == "degraded":
            raise NotConnected(
                "The IB Gateway has lost its connection to IB's servers (1100); orders are not "
                "queued, place it again once the connection is restored",
                retry_after=5,
            )
        return ib

    def on_connect(self, hook: Hook) -> None:
        """Run ``hook(ib)`` after every successful (re)connect."""
        self._connect_hooks.append(hook)

    def on_data_lost(self, hook: Hook) -> None:
        """Run ``hook(ib)`` when IB restores connectivity with market data lost (1101)."""
        self._data_lost_hooks.append(hook)

    def on_stale(self, hook: Callable[[str], None]) -> None:
        """Run ``hook(reason)`` when market data stops being current: the session closed (a
        drop, a reconnect, stop) or IB lost its own connectivity (1100)."""
        self._stale_hooks.append(hook)

    def on_ib_notice(self, hook: Callable[[], None]) -> None:
        """Run ``hook()`` whenever IB's own notices change the status (1100, 1101/1102, farms)."""
        self._notice_hooks.append(hook)

    def status(self) -> ConnectionStatus:
        ib = self.ib
        version = str(ib.client.serverVersion()) if ib is not None else None
        farms = tuple(sorted(self.farms.values(), key=lambda f: (f.kind, f.name)))
        return self.record.status(
            connected=self.connected, server_version=version, data_farms=farms
        )

    # -- the loop -------------------------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            self._forced = False
            self._lost.clear()
            self._wake.clear()
            ib = await self._attempt()
            if ib is None:
                await self._pause(self._backoff.next_delay())
                continue
            self._backoff.reset()
            await self._lost.wait()
            self._teardown("connection lost" if not self._forced else "reconnect requested")
            self.record.set("disconnected", self.record.last_error or "Connection closed")
            if not self._forced:
                await self._pause(self._backoff.next_delay())

    async def _attempt(self) -> IB | None:
        self.record.host, self.record.port = self._endpoint()
        self.attempts += 1
        self.notices.forget_farms()
        self.record.lost_notice = None  # what IB said to the old session no longer holds
        self.record.set("connecting", f"Connecting to {self.record.host}:{self.record.port}")
        try:
            ib = await connect_session(
                self._ib_factory,
                self.record.host,
                self.record.port,
                self._settings,
                on_error=self.notices,
            )
        except ClientIdInUse as exc:
            self.record.last_error = str(exc)
        except Exception as exc:
            self.record.last_error = f"Cannot connect to {self.record.host}:{self.record.port}: {exc or type(exc).__name__}"
        else:
            if ib.isConnected():
                self._adopt(ib)
                self._attempt_finished()
                return ib
            self.record.last_error = "The socket closed right after connecting"
        self.record.set("disconnected", self.record.last_error)
        self._attempt_finished()
        return None

    def _adopt(self, ib: IB) -> None:
        # this fresh session answers any reconnect() asked for while it was being set up
        self._lost.clear()
        self._forced = False
        self.ib = ib
        ib.disconnectedEvent += lambda: self._on_disconnected(ib)
        ib.client.apiError += self._on_api_error
        if self.record.lost_notice is not None:  # IB's 1100 came during the handshake
            self.record.set("degraded", self.record.lost_notice.message)
        else:
            self.record.set("connected", "TWS Connection OK")
        for hook in self._connect_hooks:
            _run_hook(hook, ib, "connect")

    def _attempt_finished(self) -> None:
        self._finished_attempts += 1
        self.record.pulse()

    async def _pause(self, delay: float) -> None:
        """Sleep before the next attempt; ``reconnect()`` cuts the sleep short."""
        self._next_attempt_at = self._clock.monotonic() + delay
        log.info("ib.reconnect_scheduled", delay=round(delay, 3), attempt=self._backoff.attempt)
        try:
            await sleep_or_wake(self._clock, delay, self._wake)
        finally:
            self._next_attempt_at = None

    def _teardown(self, reason: str) -> None:
        ib, self.ib = self.ib, None
        if ib is None:
            return
        with contextlib.suppress(Exception):
            if ib.client.isReady():
                # fail pending requests now instead of leaving them to their timeouts
                ib.wrapper.connectionClosed()  # type: ignore[no-untyped-call]
            ib.disconnect()
        log.info("ib.session_closed", reason=reason)
        self._stale(f"the connection to the IB Gateway closed ({reason})")

    # -- events from ib_async -------------------------------------------------------------------

    def _on_disconnected(self, ib: IB) -> None:
        # ib_async may fire this twice for one drop: only the first one for the live IB counts.
        if ib is not self.ib or self._lost.is_set():
            return
        self.record.last_error = self.record.last_error or "The IB Gateway closed the connection"
        self._lost.set()

    def _on_api_error(self, message: str) -> None:
        self.record.last_error = message

    def _connectivity_lost(self, text: str) -> None:
        self.record.last_error = f"IB {errors.CONNECTIVITY_LOST}: {text}"
        if self.record.lost_notice is None:
            self.record.lost_notice = IbNotice(
                code=errors.CONNECTIVITY_LOST, message=text, since=self._clock.now()
            )
        self.record.set("degraded", text)
        self._stale(f"IB lost connectivity to its servers ({errors.CONNECTIVITY_LOST}: {text})")
        self._notice_changed()

    def _restored(self, code: int, text: str) -> None:
        self.record.lost_notice = None
        self.record.set("connected", text)
        if code == errors.RESTORED_DATA_LOST and self.ib is not None:
            for hook in self._data_lost_hooks:
                _run_hook(hook, self.ib, "data_lost")
        self._notice_changed()

    def _notice_changed(self) -> None:
        for hook in self._notice_hooks:
            try:
                hook()
            except Exception:
                log.exception("ib.hook_failed", kind="ib_notice")

    def _stale(self, reason: str) -> None:
        for hook in self._stale_hooks:
            try:
                hook(reason)
            except Exception:
                log.exception("ib.hook_failed", kind="stale")

    def _retry_after(self) -> int:
        if self._next_attempt_at is not None:
            return errors.retry_after(self._next_attempt_at - self._clock.monotonic() + 1)
        return 2


def _run_hook(hook: Hook, ib: IB, kind: str) -> None:
    try:
        hook(ib)
    except Exception:
        log.exception("ib.hook_failed", kind=kind)

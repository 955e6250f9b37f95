"""Sharing and pacing IB requests: single-flight, short caches, ib_async's throttle, IB's
historical data limits."""

from __future__ import annotations

import asyncio
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Hashable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from adapters.ib.errors import retry_after
from application.ports import Clock
from domain.errors import RateLimited

if TYPE_CHECKING:
    from ib_async import IB

T = TypeVar("T")


class SingleFlight:
    """Concurrent calls with the same key share one execution (one IB request)."""

    def __init__(self) -> None:
        self._running: dict[Hashable, asyncio.Future[Any]] = {}

    async def run(self, key: Hashable, factory: Callable[[], Awaitable[T]]) -> T:
        shared = self._running.get(key)
        if shared is None:
            shared = asyncio.ensure_future(factory())
            self._running[key] = shared
            shared.add_done_callback(lambda f: self._finished(key, f))
        # shield: one caller giving up (timeout, cancel) must not cancel the others' request
        return await asyncio.shield(shared)

    def _finished(self, key: Hashable, future: asyncio.Future[Any]) -> None:
        if self._running.get(key) is future:
            del self._running[key]
        if not future.cancelled():
            future.exception()  # retrieved, even when every caller went away

    def __len__(self) -> int:
        return len(self._running)


class FreshFlight:
    """Concurrent calls share one execution that began after each of them was made.

    For look-ups whose answer must be no older than the call (is this idempotency key at IB
    yet?): a call joins an execution that has not begun yet; one made while an execution
    runs waits for it to end and shares the next, with every other call made meanwhile. A
    burst of calls costs at most two executions.
    """

    def __init__(self) -> None:
        self._created = 0  # executions created so far
        self._begun = 0  # the number of the last one that began
        self._running: asyncio.Future[Any] | None = None
        self._number = 0  # the running one's

    async def run(self, factory: Callable[[], Awaitable[T]]) -> T:
        made = self._begun
        while True:
            running = self._running
            if running is None:
                self._created += 1
                self._number = self._created
                running = self._running = asyncio.ensure_future(self._begin(self._number, factory))
                running.add_done_callback(self._finished)
            if self._number > made:
                # shield: one caller giving up must not cancel the others' execution
                return await asyncio.shield(running)
            # began before this call: wait for its end (whatever it was), then share the next
            await asyncio.wait([running])

    async def _begin(self, number: int, factory: Callable[[], Awaitable[T]]) -> T:
        self._begun = number
        return await factory()

    def _finished(self, future: asyncio.Future[Any]) -> None:
        if self._running is future:
            self._running = None
        if not future.cancelled():
            future.exception()  # retrieved, even when every caller went away


class ThrottleWatch:
    """Whether ib_async's client-side throttle is holding messages back.

    ib_async sends at most 45 messages per interval and queues the rest, first in first out,
    announcing it with its client's ``throttleStart`` and ``throttleEnd`` events: once the
    throttle ends, every message queued before has been sent.
    """

    def __init__(self) -> None:
        self._clear = asyncio.Event()
        self._clear.set()
        self._ib: IB | None = None

    def attach(self, ib: IB) -> None:
        """Follow a new session's throttle (run after every connect)."""
        if self._ib is not None:
            self._ib.client.throttleStart -= self._clear.clear
            self._ib.client.throttleEnd -= self._clear.set
        self._ib = ib
        self._clear.set()
        ib.client.throttleStart += self._clear.clear
        ib.client.throttleEnd += self._clear.set

    @property
    def holding(self) -> bool:
        return not self._clear.is_set()

    async def drained(self) -> None:
        """Return once ib_async has sent everything it held back."""
        await self._clear.wait()


class TtlCache(Generic[T]):
    """A small LRU map whose entries expire ``ttl`` seconds after they were stored."""

    def __init__(self, clock: Clock, ttl: float, max_entries: int = 2048) -> None:
        self._clock = clock
        self._ttl = ttl
        self._max = max_entries
        self._items: OrderedDict[Hashable, tuple[float, T]] = OrderedDict()

    def get(self, key: Hashable) -> T | None:
        item = self._items.get(key)
        if item is None:
            return None
        stored, value = item
        if self._clock.monotonic() - stored > self._ttl:
            del self._items[key]
            return None
        self._items.move_to_end(key)
        return value

    def put(self, key: Hashable, value: T) -> None:
        now = self._clock.monotonic()
        # expired entries at the cold end go at once, not only when their key is asked for
        while self._items and now - next(iter(self._items.values()))[0] > self._ttl:
            self._items.popitem(last=False)
        self._items[key] = (now, value)
        self._items.move_to_end(key)
        while len(self._items) > self._max:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


class HistoricalPacer:
    """IB's historical data limits, kept on our side instead of collecting error 162.

    At most ``max_requests`` per ``window`` seconds (60 per 10 min), and at most ``max_burst``
    for one contract/exchange/data type per ``burst_window`` seconds (6 per 2 s). Identical
    requests within 15 s are served from a cache by the caller, so they never reach here.
    A short wait is waited out; a long one becomes RateLimited with the time to wait.
    """

    def __init__(
        self,
        clock: Clock,
        *,
        max_requests: int = 60,
        window: float = 600.0,
        max_burst: int = 6,
        burst_window: float = 2.0,
        max_wait: float = 5.0,
        margin: float = 0.3,
    ) -> None:
        self._clock = clock
        self._max_requests, self._window = max_requests, window
        self._max_burst, self._burst_window = max_burst, burst_window
        self._max_wait = max_wait
        # IB counts arrivals on its side; our send times are earlier and jitter: keep a margin
        self._margin = margin
        self._all: deque[float] = deque()
        self._by_key: dict[Hashable, deque[float]] = {}
        self._lock = asyncio.Lock()

    def delay(self, key: Hashable) -> float:
        """Seconds until a request for ``key`` may go out (0: now)."""
        now = self._clock.monotonic()
        window, burst_window = self._window + self._margin, self._burst_window + self._margin
        _expire(self._all, now, window)
        recent = self._by_key.get(key, deque())
        _expire(recent, now, burst_window)
        wait = 0.0
        if len(self._all) >= self._max_requests:
            wait = self._all[len(self._all) - self._max_requests] + window - now
        if len(recent) >= self._max_burst:
            wait = max(wait, recent[len(recent) - self._max_burst] + burst_window - now)
        return max(0.0, wait)

    async def acquire(self, key: Hashable, budget: float | None = None) -> None:
        """Wait for a slot and take it, or raise RateLimited when the wait is too long."""
        limit = self._max_wait if budget is None else min(self._max_wait, budget)
        started = asyncio.get_running_loop().time()
        try:
            # requests queued behind one that waits for its slot wait within the same limit
            async with asyncio.timeout(limit):
                await self._lock.acquire()
        except TimeoutError:
            raise RateLimited(
                "IB allows 60 historical data requests per 10 minutes and 6 per contract per "
                f"2 seconds; other requests are waiting for their slots (over {limit:.0f} s)",
                retry_after=retry_after(limit),
            ) from None
        limit -= asyncio.get_running_loop().time() - started
        try:
            while (wait := self.delay(key)) > 0:
                if wait > limit:
                    raise RateLimited(
                        "IB allows 60 historical data requests per 10 minutes and 6 per "
                        f"contract per 2 seconds; the next slot is in {wait:.0f} s",
                        retry_after=retry_after(wait),
                    )
                await self._clock.sleep(wait)
                limit -= wait
            now = self._clock.monotonic()
            self._all.append(now)
            self._by_key.setdefault(key, deque()).append(now)
            if len(self._by_key) > 1024:
                for stamps in self._by_key.values():
                    _expire(stamps, now, self._burst_window + self._margin)
                self._by_key = {k: v for k, v in self._by_key.items() if v}
        finally:
            self._lock.release()


def _expire(stamps: deque[float], now: float, window: float) -> None:
    while stamps and now - stamps[0] >= window:
        stamps.popleft()

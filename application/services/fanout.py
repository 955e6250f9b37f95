"""Fan-out of live values to many readers, each behind its own bounded buffer.

A ``Topic`` receives what a broker feed sends (it is the feed's ``StreamSink``) and offers it
to every ``Consumer`` subscribed. A consumer never grows: when its buffer is full it is either
ended with a reason (``overflow="disconnect"``, for SSE) or loses its oldest events and says
how many (``overflow="overwrite"``, for cursor reads). Events carry a sequence number so a
reader can ask for what arrived since a cursor.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Any, Generic, Literal, TypeVar

import msgspec

from domain.errors import DomainError

T = TypeVar("T")


class StreamNotice(msgspec.Struct, frozen=True, kw_only=True, tag="notice"):
    """Not data: the data of ``contract_id`` went ``stale`` (or ``fresh`` again)."""

    kind: Literal["stale", "fresh"]
    reason: str
    contract_id: int | None = None


class StreamEnded(Exception):
    """The stream is over: why, and the domain error that ended it, if any."""

    def __init__(
        self, reason: str, error: DomainError | None = None, *, slow: bool = False
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.error = error
        self.slow = slow  # the reader fell too far behind

    @property
    def code(self) -> str:
        """A stable word for why: the error's code, ``slow_consumer`` or ``stream_ended``."""
        if self.error is not None:
            return self.error.code
        return "slow_consumer" if self.slow else "stream_ended"


class Consumer(Generic[T]):
    """One reader's bounded buffer of (sequence, event)."""

    def __init__(
        self,
        capacity: int,
        *,
        overflow: Literal["disconnect", "overwrite"] = "disconnect",
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self.capacity = capacity
        self.overflow = overflow
        self._items: deque[tuple[int, T | StreamNotice]] = deque()
        self._seq = 0
        self._waiter: asyncio.Future[None] | None = None
        self._on_close = on_close
        self.ended: StreamEnded | None = None
        self.lost = 0  # events overwritten before anyone read them
        self.last_read = 0  # the sequence number of the event ``next`` returned last

    @property
    def sequence(self) -> int:
        """The sequence number of the newest event offered so far."""
        return self._seq

    def offer(self, item: T | StreamNotice) -> None:
        if self.ended is not None:
            return
        if len(self._items) >= self.capacity:
            if self.overflow == "disconnect":
                self.end(
                    f"slow consumer: {self.capacity} events were waiting unread; the stream "
                    "was closed rather than let it grow",
                    slow=True,
                )
                return
            self._items.popleft()
            self.lost += 1
        self._seq += 1
        self._items.append((self._seq, item))
        self._wake()

    def end(self, reason: str, error: DomainError | None = None, *, slow: bool = False) -> None:
        """End the stream from the producer's side; what is buffered can still be read."""
        if self.ended is None:
            self.ended = StreamEnded(reason, error, slow=slow)
            self._wake()
            self._release()

    def close(self) -> None:
        """The reader is done: drop the buffer and let go of the upstream."""
        if self.ended is None:
            self.ended = StreamEnded("closed by the reader")
        self._items.clear()
        self._wake()
        self._release()

    async def next(self, wait: float) -> T | StreamNotice | None:
        """The next event, or None when nothing came within ``wait`` seconds (time for a
        heartbeat). Raises ``StreamEnded`` once the stream is over and drained."""
        if not self._items:
            if self.ended is not None:
                raise self.ended
            waiter = self._waiter = asyncio.get_running_loop().create_future()
            try:
                async with asyncio.timeout(wait):
                    await waiter
            except TimeoutError:
                return None
            finally:
                self._waiter = None
            if not self._items:
                if self.ended is not None:
                    raise self.ended
                return None
        self.last_read, item = self._items.popleft()
        return item

    def take(self) -> T | StreamNotice | None:
        """The next buffered event without waiting (None when none is buffered)."""
        if not self._items:
            return None
        self.last_read, item = self._items.popleft()
        return item

    def since(self, cursor: int, limit: int) -> tuple[list[tuple[int, T | StreamNotice]], int]:
        """Up to ``limit`` buffered events newer than ``cursor``, and how many newer events
        were lost (overwritten) before they could be read. Nothing is removed."""
        out = [(seq, item) for seq, item in self._items if seq > cursor][:limit]
        oldest = self._items[0][0] if self._items else self._seq + 1
        lost = max(0, oldest - cursor - 1)
        return out, lost

    def forget_until(self, cursor: int) -> None:
        """Drop buffered events up to and including ``cursor`` (they were read)."""
        while self._items and self._items[0][0] <= cursor:
            self._items.popleft()

    def when_closed(self, on_close: Callable[[], None]) -> None:
        """Call ``on_close`` once, when the stream ends or the reader closes it."""
        self._on_close = on_close
        if self.ended is not None:
            self._release()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def _release(self) -> None:
        on_close, self._on_close = self._on_close, None
        if on_close is not None:
            on_close()


class Topic(Generic[T]):
    """One upstream, many consumers: the ``StreamSink`` a broker feed pushes into."""

    def __init__(self, contract_id: int | None = None) -> None:
        self.contract_id = contract_id
        self.consumers: set[Consumer[Any]] = set()
        self.latest: T | None = None
        self.fresh = False
        self.failure: DomainError | None = None
        self._was_stale = False
        self._on_push: list[Callable[[T], None]] = []

    def push(self, item: T) -> None:
        self.latest = item
        if not self.fresh:
            self.fresh = True
            if self._was_stale:
                notice = StreamNotice(kind="fresh", reason="data flows again",
                                      contract_id=self.contract_id)  # fmt: skip
                self._broadcast(notice)
        self._was_stale = False
        for hook in self._on_push:
            hook(item)
        self._broadcast(item)

    def stale(self, reason: str) -> None:
        self.fresh = False
        self._was_stale = True
        self._broadcast(StreamNotice(kind="stale", reason=reason, contract_id=self.contract_id))
        for hook in self._on_push:
            hook(None)  # type: ignore[arg-type]

    def fail(self, error: DomainError) -> None:
        self.fresh = False
        self.failure = error
        for consumer in list(self.consumers):
            consumer.end(error.message, error)
        for hook in self._on_push:
            hook(None)  # type: ignore[arg-type]

    def on_push(self, hook: Callable[[T], None]) -> None:
        """Also call ``hook`` with each push (None when the data went stale or failed)."""
        self._on_push.append(hook)

    def _broadcast(self, item: Any) -> None:
        for consumer in list(self.consumers):
            consumer.offer(item)

"""Subscriptions read by cursor, for callers that cannot hold a stream open (MCP tools).

``open`` starts a stream whose events wait in a bounded ring (the oldest are overwritten and
counted as lost); ``read`` returns what arrived after a cursor and forgets what the cursor
acknowledges; ``close`` ends it. A subscription nobody read for ``idle_ttl`` seconds expires.
"""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass
from typing import Any, Literal

import msgspec

from application.ports import Clock
from application.services.fanout import Consumer, StreamNotice
from application.services.streams import StreamService
from domain.errors import InvalidRequest, SubscriptionNotFound, TooManyStreams
from domain.market_data import Quote

Kind = Literal["quotes", "bars", "depth", "ticks", "account"]
KINDS = ("quotes", "bars", "depth", "ticks", "account")
MAX_READ = 500


class StreamEvent(msgspec.Struct, frozen=True, kw_only=True):
    """One event of a subscription: its sequence number (the cursor), its type and data."""

    seq: int
    type: str
    data: Any


class SubscriptionInfo(msgspec.Struct, frozen=True, kw_only=True):
    subscription_id: str
    kind: str
    contract_ids: list[int]
    buffer: int
    expires_after_idle_seconds: float
    cursor: int = 0


class SubscriptionRead(msgspec.Struct, frozen=True, kw_only=True):
    subscription_id: str
    events: list[StreamEvent]
    # Pass this back as ``cursor`` to get what arrives next.
    cursor: int
    # Events overwritten before they were read (the buffer was full).
    lost: int = 0
    # Why the subscription ended, when it did (it is then closed).
    ended: str | None = None


@dataclass
class _Subscription:
    id: str
    owner: str
    info: SubscriptionInfo
    consumer: Consumer[Any]
    last_read: float


def event_type(item: Any) -> str:
    """quote, bar, depth, tick, order_status, execution, position, account_value; a notice
    is named by its kind (stale, fresh)."""
    if isinstance(item, Quote):
        return "quote"
    if isinstance(item, StreamNotice):
        return item.kind
    tag = getattr(type(item), "__struct_config__", None)
    return str(tag.tag) if tag is not None and tag.tag else type(item).__name__.lower()


class SubscriptionBook:
    def __init__(
        self,
        streams: StreamService,
        clock: Clock,
        *,
        idle_ttl: float = 300.0,
        buffer: int = 1000,
        max_open: int = 64,
    ) -> None:
        self._streams = streams
        self._clock = clock
        self.idle_ttl = idle_ttl
        self.buffer = buffer
        self.max_open = max_open
        self._subs: dict[str, _Subscription] = {}
        self._counter = itertools.count(1)

    async def open(
        self,
        kind: str,
        owner: str,
        *,
        contract_ids: list[int] | None = None,
        what_to_show: str = "TRADES",
        rows: int = 10,
        tick_kind: str = "Last",
    ) -> SubscriptionInfo:
        self.sweep()
        if kind not in KINDS:
            raise InvalidRequest(
                f"kind must be one of {', '.join(KINDS)}; got {kind!r}", field="kind",
                accepted=list(KINDS),
            )  # fmt: skip
        if len(self._subs) >= self.max_open:
            raise TooManyStreams(
                f"{self.max_open} subscriptions are open; close one first", retry_after=5
            )
        ids = list(contract_ids or [])
        if kind != "account" and not ids:
            raise InvalidRequest(f"a {kind} subscription needs contract_ids", field="contract_ids")
        if kind in ("bars", "depth", "ticks") and len(ids) != 1:
            raise InvalidRequest(
                f"a {kind} subscription takes exactly one contract id", field="contract_ids"
            )
        s = self._streams
        if kind == "quotes":
            consumer = await s.quotes(ids, owner, overflow="overwrite")
        elif kind == "bars":
            consumer = await s.bars(ids[0], what_to_show, owner, overflow="overwrite")
        elif kind == "depth":
            consumer = await s.depth(ids[0], rows, owner, overflow="overwrite")
        elif kind == "ticks":
            consumer = await s.ticks(ids[0], tick_kind, owner, overflow="overwrite")
        else:
            consumer = await s.account(owner, overflow="overwrite")
        sub_id = f"sub-{next(self._counter)}-{secrets.token_hex(4)}"
        info = SubscriptionInfo(
            subscription_id=sub_id,
            kind=kind,
            contract_ids=ids,
            buffer=consumer.capacity,
            expires_after_idle_seconds=self.idle_ttl,
        )
        self._subs[sub_id] = _Subscription(sub_id, owner, info, consumer, self._clock.monotonic())
        return info

    def read(self, sub_id: str, owner: str, cursor: int = 0, limit: int = 100) -> SubscriptionRead:
        """Events after ``cursor`` (at most ``limit``); events up to ``cursor`` are forgotten."""
        self.sweep()
        if not 1 <= limit <= MAX_READ:
            raise InvalidRequest(f"limit must be 1..{MAX_READ}", field="limit")
        if cursor < 0:
            raise InvalidRequest("cursor must be 0 or more", field="cursor")
        sub = self._get(sub_id, owner)
        sub.last_read = self._clock.monotonic()
        consumer = sub.consumer
        consumer.forget_until(cursor)
        items, lost = consumer.since(cursor, limit)
        events = [
            StreamEvent(seq=seq, type=event_type(item), data=self._streams.stamp(item))
            for seq, item in items
        ]
        next_cursor = events[-1].seq if events else min(cursor, consumer.sequence)
        ended = None
        if consumer.ended is not None and not consumer.since(next_cursor, 1)[0]:
            ended = consumer.ended.reason
            self._drop(sub_id)
        return SubscriptionRead(
            subscription_id=sub_id, events=events, cursor=next_cursor, lost=lost, ended=ended
        )

    def close(self, sub_id: str, owner: str) -> SubscriptionInfo:
        sub = self._get(sub_id, owner)
        self._drop(sub_id)
        return sub.info

    def list(self, owner: str) -> list[SubscriptionInfo]:
        self.sweep()
        return [s.info for s in self._subs.values() if s.owner == owner]

    def sweep(self) -> int:
        """Close subscriptions nobody read for ``idle_ttl`` seconds; how many were closed."""
        now = self._clock.monotonic()
        idle = [k for k, s in self._subs.items() if now - s.last_read >= self.idle_ttl]
        for sub_id in idle:
            self._drop(sub_id)
        return len(idle)

    def close_all(self) -> None:
        for sub_id in list(self._subs):
            self._drop(sub_id)

    def _get(self, sub_id: str, owner: str) -> _Subscription:
        sub = self._subs.get(sub_id)
        if sub is None or sub.owner != owner:
            raise SubscriptionNotFound(
                f"No open subscription {sub_id!r}: it was closed, expired after "
                f"{self.idle_ttl:g} s without a read, or belongs to another caller"
            )
        return sub

    def _drop(self, sub_id: str) -> None:
        sub = self._subs.pop(sub_id, None)
        if sub is not None:
            sub.consumer.close()


__all__ = [
    "StreamEvent",
    "StreamNotice",
    "SubscriptionBook",
    "SubscriptionInfo",
    "SubscriptionRead",
]

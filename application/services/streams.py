"""Live streams for the front doors: quotes, 5-second bars, depth, tick-by-tick, account events.

Every stream is a ``Consumer`` with its own bounded buffer over a shared upstream: quotes read
the account's market data lines (``QuoteLines``), the other kinds share one broker
subscription per (kind, contract, parameters) for as long as anyone reads it. A caller (a
token, or "anonymous") holds at most ``per_owner`` streams at once. Closing a consumer gives
its upstream back.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from application.ports import Clock, FeedSubscription, MarketFeed
from application.services.contracts import ContractService
from application.services.fanout import Consumer, StreamNotice, Topic
from application.services.market_data import aged
from application.services.market_lines import QuoteLine, QuoteLines
from domain.contract import Contract, ContractQuery
from domain.errors import BrokerTimeout, DomainError, InvalidRequest, TooManyStreams
from domain.market_data import Quote
from domain.streams import BAR_SOURCES, MAX_DEPTH_ROWS, TICK_KINDS, DepthBook, TickPrint
from domain.validation import check_choice

MAX_STREAM_CONTRACTS = 50
MAX_TICK_SNAPSHOT = 1000
MAX_TICK_SNAPSHOT_SECONDS = 30.0
# One-shot reads (depth, tick-by-tick) of every caller together, at once: each holds an IB
# subscription for up to its time limit.
ONE_SHOT = "one-shot"
MAX_ONE_SHOTS = 16
Overflow = Literal["disconnect", "overwrite"]


@dataclass
class _Shared:
    topic: Topic[Any]
    refs: int
    subscription: FeedSubscription | None = None


class StreamService:
    def __init__(
        self,
        lines: QuoteLines,
        feed: MarketFeed,
        contracts: ContractService,
        clock: Clock,
        *,
        per_owner: int = 8,
        buffer: int = 1000,
        request_timeout: float = 10.0,
    ) -> None:
        self.lines = lines
        self._feed = feed
        self._contracts = contracts
        self._clock = clock
        self.per_owner = per_owner
        self.buffer = buffer
        self._timeout = request_timeout
        self._owners: Counter[str] = Counter()
        self._shared: dict[tuple[Any, ...], _Shared] = {}

    # -- opening ------------------------------------------------------------------------------

    async def quotes(
        self, contract_ids: list[int], owner: str, *, overflow: Overflow = "disconnect"
    ) -> Consumer[Any]:
        """Live quotes of the contracts; each consumer first gets the current quote of every
        line that already has one."""
        ids = _contract_ids(contract_ids)
        self._admit(owner)
        leased: list[QuoteLine] = []
        consumer: Consumer[Any] = Consumer(self.buffer, overflow=overflow)

        def give_back() -> None:
            for line in leased:
                line.topic.consumers.discard(consumer)
                self.lines.release(line)
            self._leave(owner)

        try:
            for con_id in ids:
                contract = await self._contracts.resolve(ContractQuery(con_id=con_id))
                leased.append(await self.lines.lease(contract))
        except BaseException:
            give_back()
            raise
        consumer.when_closed(give_back)
        now = self._clock.now().timestamp()
        for line in leased:
            line.topic.consumers.add(consumer)
            current = line.current()
            if current is not None:
                consumer.offer(aged(current, now))
        return consumer

    async def bars(
        self, contract_id: int, what_to_show: str, owner: str, *, overflow: Overflow = "disconnect"
    ) -> Consumer[Any]:
        what = what_to_show.strip().upper()
        check_choice(what, BAR_SOURCES, "what_to_show")
        contract = await self._contract(contract_id)
        return await self._open(
            ("bars", contract.con_id, what), owner, overflow, contract.con_id,
            lambda topic: self._feed.open_bars(contract, what, topic), replay=False,
        )  # fmt: skip

    async def depth(
        self, contract_id: int, rows: int, owner: str, *, overflow: Overflow = "disconnect"
    ) -> Consumer[Any]:
        rows = _rows(rows)
        contract = await self._contract(contract_id)
        return await self._open(
            ("depth", contract.con_id, rows), owner, overflow, contract.con_id,
            lambda topic: self._feed.open_depth(contract, rows, topic), replay=True,
        )  # fmt: skip

    async def ticks(
        self, contract_id: int, kind: str, owner: str, *, overflow: Overflow = "disconnect"
    ) -> Consumer[Any]:
        kind = tick_kind(kind)
        contract = await self._contract(contract_id)
        return await self._open(
            ("ticks", contract.con_id, kind), owner, overflow, contract.con_id,
            lambda topic: self._feed.open_ticks(contract, kind, topic), replay=False,
        )  # fmt: skip

    async def account(self, owner: str, *, overflow: Overflow = "disconnect") -> Consumer[Any]:
        """Order status, fills, position and account-value updates."""

        async def open_account(topic: Topic[Any]) -> FeedSubscription:
            return self._feed.open_account_events(topic)

        return await self._open(("account",), owner, overflow, None, open_account, replay=False)

    # -- one-shot reads -----------------------------------------------------------------------

    async def depth_snapshot(self, contract_id: int, rows: int) -> DepthBook:
        """The current book, from a live depth stream if one runs, else a short-lived one."""
        consumer = await self.depth(contract_id, rows, ONE_SHOT)
        try:
            deadline = self._clock.monotonic() + self._timeout
            while (left := deadline - self._clock.monotonic()) > 0:
                item = await consumer.next(left)
                if isinstance(item, DepthBook):
                    return item
        finally:
            consumer.close()
        raise BrokerTimeout(f"IB sent no order book within {self._timeout:g} s")

    async def tick_snapshot(
        self, contract_id: int, kind: str, count: int, seconds: float
    ) -> list[TickPrint]:
        """Up to ``count`` tick-by-tick prints, collected for at most ``seconds``."""
        if not 1 <= count <= MAX_TICK_SNAPSHOT:
            raise InvalidRequest(f"count must be 1..{MAX_TICK_SNAPSHOT}", field="count")
        if not 0 < seconds <= MAX_TICK_SNAPSHOT_SECONDS:
            raise InvalidRequest(
                f"seconds must be above 0 and at most {MAX_TICK_SNAPSHOT_SECONDS:g}",
                field="seconds",
            )
        consumer = await self.ticks(contract_id, kind, ONE_SHOT)
        prints: list[TickPrint] = []
        try:
            deadline = self._clock.monotonic() + seconds
            while len(prints) < count and (left := deadline - self._clock.monotonic()) > 0:
                item = await consumer.next(left)
                if isinstance(item, TickPrint):
                    prints.append(item)
        finally:
            consumer.close()
        return prints

    # -- upkeep -------------------------------------------------------------------------------

    def stamp(self, item: Any) -> Any:
        """A streamed quote with its age as of now; anything else unchanged."""
        if isinstance(item, Quote):
            return aged(item, self._clock.now().timestamp())
        return item

    async def run_upkeep(self, *sweeps: Callable[[], int], interval: float = 1.0) -> None:
        """Until cancelled: close lines that lingered idle (and run ``sweeps``) every
        ``interval`` seconds; on the way out close every stream and line."""
        try:
            while True:
                await self._clock.sleep(interval)
                self.lines.sweep()
                for sweep in sweeps:
                    sweep()
        finally:
            self.close_all()

    def streams_of(self, owner: str) -> int:
        return self._owners[owner]

    def close_all(self) -> None:
        for entry in self._shared.values():
            for consumer in list(entry.topic.consumers):
                consumer.end("the service is shutting down")
            if entry.subscription is not None:
                entry.subscription.close()
        self._shared.clear()
        self.lines.close_all()

    # -- internals ----------------------------------------------------------------------------

    def _admit(self, owner: str) -> None:
        if owner == ONE_SHOT and self._owners[owner] >= MAX_ONE_SHOTS:
            raise TooManyStreams(
                f"{MAX_ONE_SHOTS} one-shot depth or tick-by-tick reads are running; retry "
                "when one has answered",
                retry_after=2,
            )
        if owner != ONE_SHOT and self._owners[owner] >= self.per_owner:
            raise TooManyStreams(
                f"At most {self.per_owner} live streams at once per caller; close one first",
                retry_after=5,
            )
        self._owners[owner] += 1

    def _leave(self, owner: str) -> None:
        self._owners[owner] -= 1
        if self._owners[owner] <= 0:
            del self._owners[owner]  # the map holds callers with streams open, no more

    async def _contract(self, contract_id: int) -> Contract:
        if contract_id <= 0:
            raise InvalidRequest("contract_id must be a positive integer", field="contract_id")
        return await self._contracts.resolve(ContractQuery(con_id=contract_id))

    async def _open(
        self,
        key: tuple[Any, ...],
        owner: str,
        overflow: Overflow,
        contract_id: int | None,
        opener: Callable[[Topic[Any]], Awaitable[FeedSubscription]],
        *,
        replay: bool,
    ) -> Consumer[Any]:
        self._admit(owner)
        try:
            entry = await self._upstream(key, contract_id, opener)
        except BaseException:
            self._leave(owner)
            raise
        consumer: Consumer[Any] = Consumer(self.buffer, overflow=overflow)

        def give_back() -> None:
            entry.topic.consumers.discard(consumer)
            self._leave(owner)
            entry.refs -= 1
            if entry.refs <= 0 and self._shared.get(key) is entry:
                del self._shared[key]
                if entry.subscription is not None:
                    entry.subscription.close()

        consumer.when_closed(give_back)
        entry.topic.consumers.add(consumer)
        if entry.topic.failure is not None:
            consumer.end(entry.topic.failure.message, entry.topic.failure)
        elif replay and entry.topic.fresh and entry.topic.latest is not None:
            consumer.offer(entry.topic.latest)
        return consumer

    async def _upstream(
        self,
        key: tuple[Any, ...],
        contract_id: int | None,
        opener: Callable[[Topic[Any]], Awaitable[FeedSubscription]],
    ) -> _Shared:
        entry = self._shared.get(key)
        if entry is not None and entry.topic.failure is None:
            entry.refs += 1
            return entry
        topic: Topic[Any] = Topic(contract_id)
        entry = _Shared(topic, refs=1)
        self._shared[key] = entry

        def forget_if_failed(_: Any) -> None:
            if topic.failure is not None and self._shared.get(key) is entry:
                del self._shared[key]

        topic.on_push(forget_if_failed)
        try:
            entry.subscription = await opener(topic)
        except DomainError as exc:
            if self._shared.get(key) is entry:
                del self._shared[key]
            topic.fail(exc)
            raise
        return entry


def tick_kind(value: str) -> str:
    by_lower = {k.lower(): k for k in TICK_KINDS}
    kind = by_lower.get(value.strip().lower())
    if kind is None:
        raise InvalidRequest(
            f"kind must be one of {', '.join(TICK_KINDS)}; got {value!r}",
            field="kind",
            accepted=list(TICK_KINDS),
        )
    return kind


def _rows(rows: int) -> int:
    if not 1 <= rows <= MAX_DEPTH_ROWS:
        raise InvalidRequest(f"rows must be 1..{MAX_DEPTH_ROWS}; got {rows}", field="rows")
    return rows


def _contract_ids(contract_ids: list[int]) -> list[int]:
    ids = list(dict.fromkeys(contract_ids))
    if not ids:
        raise InvalidRequest("Give at least one contract id", field="contract_ids")
    if len(ids) > MAX_STREAM_CONTRACTS:
        raise InvalidRequest(
            f"At most {MAX_STREAM_CONTRACTS} contract ids per stream; got {len(ids)}",
            field="contract_ids",
        )
    if any(i <= 0 for i in ids):
        raise InvalidRequest("contract ids must be positive integers", field="contract_ids")
    return ids


__all__ = ["StreamNotice", "StreamService", "aged", "tick_kind"]

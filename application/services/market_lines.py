"""The account's streaming market data lines, shared by every consumer.

IB gives an account a budget of lines (100 by default); each ``reqMktData`` stream holds one.
``QuoteLines`` opens at most one line per contract, counts who uses it (snapshots for the
length of a request, streams for as long as they run), keeps a line nobody uses for
``linger`` seconds so a symbol asked for again is answered from live data, and when the budget
is full closes the least recently used idle line to make room. A line whose data went stale
(connection or IB's data lost) is not read until the feed pushes again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict
from dataclasses import dataclass

from application.ports import Clock, FeedSubscription, MarketFeed
from application.services.fanout import Topic
from domain.contract import Contract
from domain.errors import DomainError, LinesExhausted, MarketDataUnavailable
from domain.market_data import Quote


def is_complete(quote: Quote) -> bool:
    """A quote a caller can act on: a trade price, or both sides of the market."""
    return quote.last_price is not None or (quote.bid is not None and quote.ask is not None)


class QuoteLine:
    """One contract's line: its latest quote and the consumers reading it."""

    def __init__(self, contract: Contract, now: float) -> None:
        self.contract = contract
        self.topic: Topic[Quote] = Topic(contract.con_id)
        self.refs = 0
        self.last_used = now
        self.subscription: FeedSubscription | None = None
        self._complete = asyncio.Event()
        self.topic.on_push(self._pushed)

    def _pushed(self, quote: Quote | None) -> None:
        if quote is None:  # stale or failed: wake waiters only for a failure
            if self.topic.failure is not None:
                self._complete.set()
            else:
                self._complete.clear()
        elif is_complete(quote):
            self._complete.set()

    def current(self) -> Quote | None:
        """The latest quote when it is live and complete, else None."""
        quote = self.topic.latest
        if quote is not None and self.topic.fresh and is_complete(quote):
            return quote
        return None

    async def wait(self, seconds: float) -> Quote | None:
        """The first complete quote within ``seconds``; at the deadline, whatever fresh quote
        has a price (None if none). Raises the error that ended the line."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._complete.wait(), seconds)
        if self.topic.failure is not None:
            raise self.topic.failure
        quote = self.topic.latest
        if quote is not None and self.topic.fresh and quote.has_price:
            return quote
        return None


@dataclass(frozen=True, slots=True)
class LineStats:
    budget: int
    open: int
    in_use: int


class QuoteLines:
    def __init__(
        self, feed: MarketFeed, clock: Clock, *, budget: int = 100, linger: float = 60.0
    ) -> None:
        self._feed = feed
        self._clock = clock
        self.budget = budget
        self.linger = linger
        # Least recently used first.
        self._lines: OrderedDict[int, QuoteLine] = OrderedDict()

    async def lease(self, contract: Contract) -> QuoteLine:
        """The contract's line, opened if needed; give it back with ``release``."""
        con_id = contract.con_id
        line = self._lines.get(con_id)
        if line is not None and line.topic.failure is None:
            line.refs += 1
            self._lines.move_to_end(con_id)
            return line
        if line is not None:
            self._drop(con_id)
        if len(self._lines) >= self.budget and not self._evict_idle():
            raise LinesExhausted(
                f"All {self.budget} market data lines are held by live streams; close a "
                "stream or raise --market-data-lines (within the account's IB budget)",
                retry_after=5,
            )
        line = QuoteLine(contract, self._clock.monotonic())
        line.refs = 1
        self._lines[con_id] = line
        line.topic.on_push(lambda q: self._forget_failed(con_id, line, q))
        try:
            line.subscription = await self._feed.open_quotes(contract, line.topic)
        except LinesExhausted as exc:
            # IB counts lines we do not see (other clients, snapshots): make room and retry.
            if not self._evict_idle():
                self._fail_open(con_id, line, exc)
                raise
            try:
                line.subscription = await self._feed.open_quotes(contract, line.topic)
            except DomainError as again:
                self._fail_open(con_id, line, again)
                raise
        except DomainError as exc:
            self._fail_open(con_id, line, exc)
            raise
        except BaseException:  # cancelled while opening: the line is nobody's, free its slot
            self._fail_open(
                con_id,
                line,
                MarketDataUnavailable(
                    f"Opening the quote line of {contract.symbol or con_id} was cancelled"
                ),
            )
            raise
        if line.topic.failure is not None or self._lines.get(con_id) is not line:
            # failed (or was closed) while opening
            line.subscription.close()
        return line

    def release(self, line: QuoteLine) -> None:
        line.refs = max(0, line.refs - 1)
        line.last_used = self._clock.monotonic()

    def sweep(self) -> int:
        """Close the idle lines that lingered ``linger`` seconds; how many were closed."""
        now = self._clock.monotonic()
        expired = [
            con_id
            for con_id, line in self._lines.items()
            if line.refs == 0 and now - line.last_used >= self.linger
        ]
        for con_id in expired:
            self._drop(con_id)
        return len(expired)

    def close_all(self) -> None:
        for con_id in list(self._lines):
            self._drop(con_id)

    def get(self, con_id: int) -> QuoteLine | None:
        return self._lines.get(con_id)

    def stats(self) -> LineStats:
        in_use = sum(1 for line in self._lines.values() if line.refs > 0)
        return LineStats(budget=self.budget, open=len(self._lines), in_use=in_use)

    def _evict_idle(self) -> bool:
        for con_id, line in self._lines.items():  # least recently used first
            if line.refs == 0:
                self._drop(con_id)
                return True
        return False

    def _drop(self, con_id: int) -> None:
        line = self._lines.pop(con_id, None)
        if line is not None and line.subscription is not None:
            line.subscription.close()

    def _fail_open(self, con_id: int, line: QuoteLine, error: DomainError) -> None:
        if self._lines.get(con_id) is line:
            del self._lines[con_id]
        line.topic.fail(error)  # wakes anyone who leased the line meanwhile

    def _forget_failed(self, con_id: int, line: QuoteLine, quote: Quote | None) -> None:
        if quote is None and line.topic.failure is not None and self._lines.get(con_id) is line:
            del self._lines[con_id]  # IB ended it: the next lease opens a new one

"""``IbFeed``: the ``MarketFeed`` port on ib_async (live quotes, bars, depth, ticks, account events).

    sub = await broker.feed.open_quotes(contract, sink)   # sink.push(quote) per update
    ...
    sub.close()                                           # cancelled at IB

``open_*`` needs a live session (else ``NotConnected`` at once), sends the request and waits
at most ``stream_open_wait`` seconds for IB's first data or refusal: a refusal then is raised
(``LinesExhausted`` for 101/309/10190, ``ContractNotFound`` for 200, ``MarketDataUnavailable``
...), a later one reaches ``sink.fail``. Lines survive reconnects and 1101 (``feed_lines``).
"""

from __future__ import annotations

from adapters.ib.account_events import IbAccountEvents
from adapters.ib.feed_lines import FeedLines
from adapters.ib.feed_quotes import QuoteLine
from adapters.ib.feed_streams import BarLine, DepthLine, TickLine
from adapters.ib.market_data import IbMarketData
from adapters.ib.supervisor import ConnectionSupervisor
from application.ports import Clock, FeedSubscription, MarketFeed, StreamSink
from domain.contract import Contract
from domain.market_data import Quote
from domain.streams import AccountEvent, DepthBook, RealTimeBar, TickPrint


class IbFeed:
    """Live subscriptions on the supervised session; every one is cancelled by ``close_all``."""

    def __init__(
        self,
        supervisor: ConnectionSupervisor,
        market_data: IbMarketData,
        clock: Clock,
        *,
        open_wait: float,
    ) -> None:
        self._market_data = market_data
        self.lines = FeedLines(supervisor, open_wait)
        self.account_events = IbAccountEvents(supervisor, clock)

    async def open_quotes(self, contract: Contract, sink: StreamSink[Quote]) -> FeedSubscription:
        return await self.lines.open(QuoteLine(sink, contract, self._market_data))

    async def open_bars(
        self, contract: Contract, what_to_show: str, sink: StreamSink[RealTimeBar]
    ) -> FeedSubscription:
        return await self.lines.open(BarLine(sink, contract, what_to_show))

    async def open_depth(
        self, contract: Contract, rows: int, sink: StreamSink[DepthBook]
    ) -> FeedSubscription:
        return await self.lines.open(DepthLine(sink, contract, rows))

    async def open_ticks(
        self, contract: Contract, kind: str, sink: StreamSink[TickPrint]
    ) -> FeedSubscription:
        return await self.lines.open(TickLine(sink, contract, kind))

    def open_account_events(self, sink: StreamSink[AccountEvent]) -> FeedSubscription:
        return self.account_events.open(sink)

    def close_all(self) -> None:
        """Cancel every line at IB (while connected) and detach every account-event sink."""
        self.lines.close_all()
        self.account_events.close_all()


def as_market_feed(feed: IbFeed) -> MarketFeed:
    """``IbFeed`` satisfies the port (checked by mypy here)."""
    return feed

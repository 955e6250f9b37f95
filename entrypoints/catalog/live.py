"""Live market data read once: the order book (L2) and a burst of tick-by-tick prints.

Both read a live upstream (shared with any stream of the same data) for a bounded time, so
they answer without holding anything open. The field types here are shared with the streams
and the cursor subscriptions (``streams.py``, ``subscriptions.py``).
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from application.services.streams import (
    MAX_TICK_SNAPSHOT,
    MAX_TICK_SNAPSHOT_SECONDS,
    StreamService,
)
from domain.errors import (
    ContractNotFound,
    DomainError,
    InvalidRequest,
    LinesExhausted,
    MarketDataUnavailable,
    NotSupported,
    RateLimited,
)
from domain.streams import BAR_SOURCES, MAX_DEPTH_ROWS, TICK_KINDS, DepthBook, TickPrint
from entrypoints.catalog.fields import Id, normalize, upper_words
from entrypoints.catalog.operation import (
    BROKER_ERRORS,
    QUERY,
    SUBSCRIPTION_ERRORS,
    Call,
    Mcp,
    Operation,
    Rest,
)

TickKindName = Literal[TICK_KINDS]  # type: ignore[valid-type]
BarSourceName = Literal[BAR_SOURCES]  # type: ignore[valid-type]
_TICK_KIND_BY_LOWER = {kind.lower(): kind for kind in TICK_KINDS}
# What any live read may answer besides invalid input: no feed, unknown contract, no data,
# too many streams for this caller (429), no market data lines left (503), the broker's usual.
LIVE_ERRORS: tuple[type[DomainError], ...] = (
    NotSupported,
    ContractNotFound,
    MarketDataUnavailable,
    RateLimited,
    LinesExhausted,
    *SUBSCRIPTION_ERRORS,
    *BROKER_ERRORS,
)


def tick_kind_word(value: str) -> str:
    """'bidask' -> 'BidAsk'; unknown words are left for validation to refuse."""
    return _TICK_KIND_BY_LOWER.get(value.strip().lower(), value)


ContractIdField = Annotated[
    Id, Meta(description="IB contract id (conId) of the instrument", examples=[265598])
]
DepthRows = Annotated[
    int,
    Meta(
        ge=1,
        le=MAX_DEPTH_ROWS,
        description=f"How many price levels per side, 1 to {MAX_DEPTH_ROWS}",
        examples=[10],
    ),
]
TickKind = Annotated[
    TickKindName,
    Meta(
        description="Last (trades), AllLast (trades including odd lots and off-exchange "
        "prints), BidAsk (every change of the best bid or ask), MidPoint",
        examples=["Last"],
        extra=normalize(tick_kind_word),
    ),
]
BarSource = Annotated[
    BarSourceName,
    Meta(
        description="Which prices the 5-second bars hold: TRADES, MIDPOINT, BID or ASK",
        examples=["TRADES"],
        extra=normalize(upper_words),
    ),
]


def live(call: Call) -> StreamService:
    """The live data service, or a clear refusal when the broker offers no live feed."""
    streams = call.services.streams
    if streams is None:
        raise NotSupported(
            "Live market data (streams, depth, tick-by-tick, subscriptions) needs a broker "
            "with a live feed, which this service was started without"
        )
    return streams


class DepthInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    contract_id: ContractIdField
    rows: DepthRows = 10


class TicksInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    contract_id: ContractIdField
    kind: TickKind = "Last"
    count: Annotated[
        int,
        Meta(
            ge=1,
            le=MAX_TICK_SNAPSHOT,
            description=f"At most this many prints, 1 to {MAX_TICK_SNAPSHOT}",
            examples=[100],
        ),
    ] = 100
    seconds: Annotated[
        float,
        Meta(
            gt=0,
            le=MAX_TICK_SNAPSHOT_SECONDS,
            description="Collect for at most this many seconds (the answer comes sooner when "
            f"count prints arrived), up to {MAX_TICK_SNAPSHOT_SECONDS:g}",
            examples=[2.0],
        ),
    ] = 2.0


async def _depth(query: DepthInput, call: Call) -> DepthBook:
    return await live(call).depth_snapshot(query.contract_id, query.rows)


async def _ticks(query: TicksInput, call: Call) -> list[TickPrint]:
    return await live(call).tick_snapshot(query.contract_id, query.kind, query.count, query.seconds)


OPERATIONS = (
    Operation(
        name="get_market_depth",
        title="Order book (market depth)",
        description="""The order book of one instrument: the best bid and ask price levels with their sizes, best price first.

bids and asks list up to rows levels each (price, size, and the market maker where the
exchange names one), as of timestamp. Depth needs a market depth subscription on the account;
without one the answer is market_data_unavailable.""",
        input=DepthInput,
        output=DepthBook,
        nature=QUERY,
        errors=(InvalidRequest, *LIVE_ERRORS),
        call=_depth,
        rest=Rest("/ibkr/market_data/depth", tag="market data"),
    ),
    Operation(
        name="get_tick_by_tick",
        title="Tick-by-tick prints",
        description="""Individual trades or quote changes of one instrument as they happen, collected for a few seconds.

Waits up to seconds and returns at most count prints, oldest first: each with its time and,
by kind, price, size and exchange (Last, AllLast), bid and ask with sizes (BidAsk) or the
midpoint (MidPoint, in price). An empty list means nothing traded or moved meanwhile.""",
        input=TicksInput,
        output=list[TickPrint],
        nature=QUERY,
        errors=(InvalidRequest, *LIVE_ERRORS),
        call=_ticks,
        rest=Rest("/ibkr/market_data/ticks", tag="market data"),
        mcp=Mcp(list_key="ticks"),
    ),
)

"""Live streams, served as server-sent events on REST only (``entrypoints/http/streams.py``).

They are declared like operations (input, description, errors), so their parameters are read
and documented as every other; they are not in ``CATALOG`` because MCP has no open-ended
answer: MCP clients read the same data through cursor subscriptions (``subscriptions.py``) or
resource subscriptions. ``call`` opens the stream and answers its ``Consumer``; an error it
raises (bad parameter, unknown contract, too many streams) is answered before any event.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from msgspec import Meta

from application.services.fanout import Consumer, StreamNotice
from application.services.streams import MAX_STREAM_CONTRACTS
from domain.errors import InvalidRequest
from domain.market_data import Quote
from domain.streams import AccountEvent, DepthBook, RealTimeBar, TickPrint
from entrypoints.catalog.fields import Id
from entrypoints.catalog.live import (
    LIVE_ERRORS,
    BarSource,
    ContractIdField,
    DepthRows,
    TickKind,
    live,
)
from entrypoints.catalog.operation import QUERY, Call, Operation, Rest

STREAM_NOTE = """

Answered as server-sent events (text/event-stream), one per update: the event name is its type
(quote, bar, depth, tick, order_status, execution, position, account_value, pnl; stale and fresh
when data stops or flows again), id its sequence number, data its JSON. A comment line
(': keep-alive') comes when nothing happened for a while. A stream that ends (the reader fell
too far behind, IB ended it, the service stops) sends a last 'end' event with the reason and
error code. Errors before the first event (bad parameter, unknown contract, too many streams
for this caller: 429, no market data lines left: 503) are ordinary JSON error answers."""


class QuoteStreamInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    contract_ids: Annotated[
        list[Id],
        Meta(
            min_length=1,
            max_length=MAX_STREAM_CONTRACTS,
            description=f"IB contract ids (conIds) to stream, 1 to {MAX_STREAM_CONTRACTS}",
            examples=[[265598, 8314]],
        ),
    ]


class BarStreamInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    contract_id: ContractIdField
    what_to_show: BarSource = "TRADES"


class DepthStreamInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    contract_id: ContractIdField
    rows: DepthRows = 10


class TickStreamInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    contract_id: ContractIdField
    kind: TickKind = "Last"


async def _quotes(q: QuoteStreamInput, call: Call) -> Consumer[Any]:
    return await live(call).quotes(q.contract_ids, call.caller.name)


async def _bars(q: BarStreamInput, call: Call) -> Consumer[Any]:
    return await live(call).bars(q.contract_id, q.what_to_show, call.caller.name)


async def _depth(q: DepthStreamInput, call: Call) -> Consumer[Any]:
    return await live(call).depth(q.contract_id, q.rows, call.caller.name)


async def _ticks(q: TickStreamInput, call: Call) -> Consumer[Any]:
    return await live(call).ticks(q.contract_id, q.kind, call.caller.name)


async def _account(_: None, call: Call) -> Consumer[Any]:
    return await live(call).account(call.caller.name)


def _stream(
    name: str, title: str, text: str, input: Any, output: Any, call: Any, path: str
) -> Operation:
    return Operation(
        name=name,
        title=title,
        description=text + STREAM_NOTE,
        input=input,
        output=output | StreamNotice,
        nature=QUERY,
        errors=(InvalidRequest, *LIVE_ERRORS),
        call=call,
        rest=Rest(path, tag="streams"),
    )


STREAMS = (
    _stream(
        "stream_quotes", "Stream quotes",
        "Live quotes of one or more instruments: every change of last, bid, ask, sizes and the "
        "day's figures, each with its age. Starts with the current quote of each contract.",
        QuoteStreamInput, Quote, _quotes, "/ibkr/market_data/stream",
    ),
    _stream(
        "stream_bars", "Stream 5-second bars",
        "Real-time 5-second bars (open, high, low, close, volume, VWAP, trade count) of one "
        "instrument as each bar completes.",
        BarStreamInput, RealTimeBar, _bars, "/ibkr/market_data/bars/stream",
    ),
    _stream(
        "stream_market_depth", "Stream the order book",
        "The order book (L2) of one instrument, the whole book again on every change. Starts "
        "with the current book when one is known.",
        DepthStreamInput, DepthBook, _depth, "/ibkr/market_data/depth/stream",
    ),
    _stream(
        "stream_tick_by_tick", "Stream tick-by-tick prints",
        "Every trade (Last, AllLast), best bid/ask change (BidAsk) or midpoint (MidPoint) of "
        "one instrument as it happens.",
        TickStreamInput, TickPrint, _ticks, "/ibkr/market_data/ticks/stream",
    ),
    _stream(
        "stream_account_events", "Stream account events",
        "Order status changes, executions (fills, with commission once IB reports it), "
        "position changes, account value updates and the account's P&L (daily, unrealized, "
        "realized) as IB updates it.",
        None, AccountEvent, _account, "/ibkr/account/events/stream",
    ),
)  # fmt: skip

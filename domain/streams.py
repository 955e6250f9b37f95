"""What live streams carry: real-time bars, depth books, tick-by-tick prints, account events.

Quotes stream as ``domain.market_data.Quote`` (with its ``timestamp`` and ``age_seconds``).
Every event is a frozen struct tagged by ``type`` so a consumer of a mixed stream (SSE, an MCP
subscription buffer) can tell them apart without guessing from the fields.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from domain.account import AccountPnl, AccountValue, Position
from domain.orders import OrderResult

# Tick-by-tick kinds as IB names them (reqTickByTickData's tickType).
TICK_KINDS = ("Last", "AllLast", "BidAsk", "MidPoint")
# What a 5-second real-time bar can show (reqRealTimeBars' whatToShow).
BAR_SOURCES = ("TRADES", "MIDPOINT", "BID", "ASK")
MAX_DEPTH_ROWS = 50


class RealTimeBar(msgspec.Struct, frozen=True, kw_only=True, tag="bar"):
    """A 5-second bar; ``time`` is when the bar starts."""

    contract_id: int
    time: datetime
    open: float
    high: float
    low: float
    close: float
    volume: float
    wap: float | None = None
    count: int | None = None


class DepthLevel(msgspec.Struct, frozen=True, kw_only=True):
    price: float
    size: float
    market_maker: str | None = None


class DepthBook(msgspec.Struct, frozen=True, kw_only=True, tag="depth"):
    """The order book (L2) as of ``timestamp``: best price first on each side."""

    contract_id: int
    bids: list[DepthLevel]
    asks: list[DepthLevel]
    timestamp: datetime


class TickPrint(msgspec.Struct, frozen=True, kw_only=True, tag="tick"):
    """One tick-by-tick event: a trade (Last, AllLast), a quote (BidAsk) or a midpoint."""

    contract_id: int
    kind: str
    time: datetime
    price: float | None = None
    size: float | None = None
    exchange: str | None = None
    bid: float | None = None
    ask: float | None = None
    bid_size: float | None = None
    ask_size: float | None = None


class OrderEvent(msgspec.Struct, frozen=True, kw_only=True, tag="order_status"):
    """An order of this account changed state (IB's orderStatus)."""

    order: OrderResult
    timestamp: datetime


class FillEvent(msgspec.Struct, frozen=True, kw_only=True, tag="execution"):
    """An execution (fill) of an order; ``commission`` once IB reported it."""

    exec_id: str
    order_id: int
    contract_id: int
    symbol: str
    side: str
    quantity: float
    price: float
    time: datetime
    account_id: str = ""
    client_order_id: str | None = None
    commission: float | None = None
    commission_currency: str | None = None


class PositionEvent(msgspec.Struct, frozen=True, kw_only=True, tag="position"):
    position: Position
    account_id: str
    timestamp: datetime


class AccountValueEvent(msgspec.Struct, frozen=True, kw_only=True, tag="account_value"):
    value: AccountValue
    timestamp: datetime


class PnlEvent(msgspec.Struct, frozen=True, kw_only=True, tag="pnl"):
    """The account's profit and loss as IB updates it (reqPnL)."""

    pnl: AccountPnl
    timestamp: datetime


AccountEvent = OrderEvent | FillEvent | PositionEvent | AccountValueEvent | PnlEvent
ACCOUNT_EVENT_KINDS = ("order_status", "execution", "position", "account_value", "pnl")

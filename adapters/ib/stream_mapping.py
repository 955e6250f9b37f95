"""ib_async's live-data objects as the domain's stream events (``domain.streams``).

The same "no value" rules as ``mapping``: NaN, UNSET_DOUBLE and IB's -1 for a missing price
become None.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import ib_async
from ib_async import MktDepthData, TickByTickAllLast, TickByTickBidAsk, TickByTickMidPoint

from adapters.ib import mapping
from domain.account import AccountPnl
from domain.streams import (
    MAX_DEPTH_ROWS,
    AccountValueEvent,
    DepthBook,
    DepthLevel,
    FillEvent,
    OrderEvent,
    PnlEvent,
    PositionEvent,
    RealTimeBar,
    TickPrint,
)

TickByTick = TickByTickAllLast | TickByTickBidAsk | TickByTickMidPoint
_SIDES = {"BOT": "BUY", "SLD": "SELL"}
_INSERT, _UPDATE, _DELETE = 0, 1, 2


def _price(value: Any) -> float | None:
    out = mapping.number(value)
    return None if out is None or out == -1 else out


def _size(value: Any) -> float | None:
    out = mapping.number(value)
    return None if out is None or out < 0 else out


def _time(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.now(UTC)


def real_time_bar(bar: ib_async.RealTimeBar, contract_id: int) -> RealTimeBar:
    count = bar.count if isinstance(bar.count, int) and bar.count >= 0 else None
    return RealTimeBar(
        contract_id=contract_id,
        time=_time(bar.time),
        open=bar.open_,
        high=bar.high,
        low=bar.low,
        close=bar.close,
        volume=_size(bar.volume) or 0.0,  # IB sends -1 for bars without volume (MIDPOINT...)
        wap=_price(bar.wap),
        count=count,
    )


def tick_print(tick: TickByTick, kind: str, contract_id: int) -> TickPrint:
    """One tick-by-tick event; ``time`` is when it arrived (ib_async keeps no other)."""
    if isinstance(tick, TickByTickAllLast):
        return TickPrint(
            contract_id=contract_id,
            kind=kind,
            time=_time(tick.time),
            price=_price(tick.price),
            size=_size(tick.size),
            exchange=tick.exchange or None,
        )
    if isinstance(tick, TickByTickBidAsk):
        return TickPrint(
            contract_id=contract_id,
            kind=kind,
            time=_time(tick.time),
            bid=_price(tick.bidPrice) or None,  # 0 is "no bid" here
            ask=_price(tick.askPrice) or None,
            bid_size=_size(tick.bidSize),
            ask_size=_size(tick.askSize),
        )
    return TickPrint(
        contract_id=contract_id, kind=kind, time=_time(tick.time), price=_price(tick.midPoint)
    )


class DepthState:
    """An order book kept from IB's depth operations, at most ``rows`` levels a side.

    IB numbers levels by position: an insert at a position moves the levels below it down, a
    delete moves them up (ib_async's own ``domBids`` overwrites instead, so it is not used).
    """

    def __init__(self, rows: int) -> None:
        self.rows = max(1, min(rows, MAX_DEPTH_ROWS))
        self.bids: list[DepthLevel] = []
        self.asks: list[DepthLevel] = []

    def clear(self) -> None:
        self.bids.clear()
        self.asks.clear()

    def apply(self, tick: MktDepthData) -> None:
        side = self.bids if tick.side == 1 else self.asks
        pos = tick.position
        if pos < 0:
            return
        if tick.operation == _DELETE:
            if pos < len(side):
                del side[pos]
            return
        level = DepthLevel(
            price=tick.price, size=_size(tick.size) or 0.0, market_maker=tick.marketMaker or None
        )
        if tick.operation == _INSERT:
            side.insert(pos, level)
            del side[self.rows :]
        elif pos < len(side):
            side[pos] = level
        elif pos < self.rows:
            side.append(level)

    def book(self, contract_id: int, timestamp: datetime) -> DepthBook:
        return DepthBook(
            contract_id=contract_id, bids=list(self.bids), asks=list(self.asks), timestamp=timestamp
        )


# -- account events ------------------------------------------------------------------------------


def order_event(trade: ib_async.Trade, timestamp: datetime) -> OrderEvent:
    """The order's state as ``orders`` reports it; IB's last error for it, if that is news."""
    last = trade.log[-1] if trade.log else None
    error = last.message if last is not None and last.errorCode else None
    return OrderEvent(order=mapping.order_result(trade, error=error), timestamp=timestamp)


def fill_event(fill: ib_async.Fill, trade: ib_async.Trade | None) -> FillEvent:
    """An execution; ``commission`` once IB's commission report for it has arrived."""
    execution, contract, report = fill.execution, fill.contract, fill.commissionReport
    reported = bool(report.execId)
    ref = (trade.order.orderRef if trade is not None else "") or execution.orderRef
    return FillEvent(
        exec_id=execution.execId,
        order_id=execution.orderId,
        contract_id=contract.conId,
        symbol=contract.symbol,
        side=_SIDES.get(execution.side, execution.side),
        quantity=float(execution.shares),
        price=execution.price,
        time=_time(execution.time if isinstance(execution.time, datetime) else fill.time),
        account_id=execution.acctNumber,
        client_order_id=ref or None,
        commission=mapping.number(report.commission) if reported else None,
        commission_currency=(report.currency or None) if reported else None,
    )


def position_event(position: ib_async.Position, timestamp: datetime) -> PositionEvent:
    return PositionEvent(
        position=mapping.position(position.contract, position.position, position.avgCost),
        account_id=position.account,
        timestamp=timestamp,
    )


def account_value_event(value: ib_async.AccountValue, timestamp: datetime) -> AccountValueEvent:
    return AccountValueEvent(value=mapping.account_value(value), timestamp=timestamp)


def pnl_event(pnl: ib_async.PnL, timestamp: datetime) -> PnlEvent:
    return PnlEvent(
        pnl=AccountPnl(
            account_id=pnl.account,
            daily_pnl=mapping.number(pnl.dailyPnL),
            unrealized_pnl=mapping.number(pnl.unrealizedPnL),
            realized_pnl=mapping.number(pnl.realizedPnL),
        ),
        timestamp=timestamp,
    )

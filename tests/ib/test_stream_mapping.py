"""ib_async's live-data objects as stream events (no IB, no sockets)."""

from __future__ import annotations

from datetime import UTC, datetime

import ib_async
from ib_async import (
    CommissionReport,
    Execution,
    Fill,
    MktDepthData,
    TickAttribBidAsk,
    TickAttribLast,
    TickByTickAllLast,
    TickByTickBidAsk,
    TickByTickMidPoint,
)

from adapters.ib import stream_mapping
from domain.streams import DepthLevel

T0 = datetime(2025, 3, 4, 15, 0, 5, tzinfo=UTC)
UNSET_DOUBLE = 1.7976931348623157e308


def test_real_time_bar() -> None:
    bar = ib_async.RealTimeBar(T0, -1, 10.0, 10.5, 9.5, 10.25, 1200.0, 10.1, 17)
    out = stream_mapping.real_time_bar(bar, 265598)
    assert (out.contract_id, out.time, out.open, out.high, out.low, out.close) == (
        265598, T0, 10.0, 10.5, 9.5, 10.25,
    )  # fmt: skip
    assert (out.volume, out.wap, out.count) == (1200.0, 10.1, 17)
    midpoint = ib_async.RealTimeBar(T0, -1, 1.0, 1.0, 1.0, 1.0, -1.0, -1.0, -1)
    out = stream_mapping.real_time_bar(midpoint, 1)
    assert (out.volume, out.wap, out.count) == (0.0, None, None)


def test_tick_prints_of_each_kind() -> None:
    trade = TickByTickAllLast(1, T0, 101.5, 200.0, TickAttribLast(), "ARCA", "")
    out = stream_mapping.tick_print(trade, "Last", 7)
    assert (out.kind, out.time, out.price, out.size, out.exchange) == (
        "Last", T0, 101.5, 200.0, "ARCA",
    )  # fmt: skip
    assert out.bid is None and out.ask is None
    quote = TickByTickBidAsk(T0, 101.4, 101.6, 300.0, 0.0, TickAttribBidAsk())
    out = stream_mapping.tick_print(quote, "BidAsk", 7)
    assert (out.bid, out.ask, out.bid_size, out.ask_size) == (101.4, 101.6, 300.0, 0.0)
    assert out.price is None and out.exchange is None
    no_bid = TickByTickBidAsk(T0, 0.0, UNSET_DOUBLE, 0.0, 0.0, TickAttribBidAsk())
    out = stream_mapping.tick_print(no_bid, "BidAsk", 7)
    assert out.bid is None and out.ask is None
    mid = stream_mapping.tick_print(TickByTickMidPoint(T0, 101.5), "MidPoint", 7)
    assert (mid.kind, mid.price, mid.size) == ("MidPoint", 101.5, None)
    empty = TickByTickAllLast(2, T0, -1.0, 0.0, TickAttribLast(), "", "")
    out = stream_mapping.tick_print(empty, "AllLast", 7)
    assert out.price is None and out.exchange is None


def _depth(position: int, operation: int, side: int, price: float, size: float = 100.0,
           maker: str = "") -> MktDepthData:  # fmt: skip
    return MktDepthData(T0, position, maker, operation, side, price, size)


def test_depth_book_inserts_shift_and_deletes_close_up() -> None:
    state = stream_mapping.DepthState(rows=3)
    bid, ask = 1, 0
    for pos, price in enumerate((10.0, 9.9, 9.8)):
        state.apply(_depth(pos, 0, bid, price))
    state.apply(_depth(0, 0, ask, 10.1, 50.0, "NSDQ"))
    state.apply(_depth(0, 0, bid, 10.05, 5.0))  # a new best bid: the others move down ...
    assert [level.price for level in state.bids] == [10.05, 10.0, 9.9]  # ... and 9.8 falls off
    state.apply(_depth(1, 1, bid, 10.0, 999.0))  # update in place
    state.apply(_depth(0, 2, bid, 0.0))  # delete the best: the rest move up
    book = state.book(42, T0)
    assert book.contract_id == 42 and book.timestamp == T0
    assert book.bids == [DepthLevel(price=10.0, size=999.0), DepthLevel(price=9.9, size=100.0)]
    assert book.asks == [DepthLevel(price=10.1, size=50.0, market_maker="NSDQ")]
    state.apply(_depth(7, 2, ask, 0.0))  # deleting a level that is not there changes nothing
    state.apply(_depth(5, 1, ask, 11.0))  # an update beyond the rows asked for is ignored
    assert state.book(42, T0).asks == book.asks
    book.bids.clear()  # a pushed book is a copy: the state is not shared
    assert len(state.bids) == 2
    state.clear()
    assert state.book(42, T0).bids == [] and state.book(42, T0).asks == []


def test_depth_rows_are_bounded() -> None:
    assert stream_mapping.DepthState(rows=0).rows == 1
    assert stream_mapping.DepthState(rows=10_000).rows == 50
    state = stream_mapping.DepthState(rows=2)
    for _ in range(100):
        state.apply(_depth(0, 0, 1, 1.0))
    assert len(state.bids) == 2


def _fill(commission: CommissionReport | None = None) -> tuple[ib_async.Trade, Fill]:
    contract = ib_async.Stock("AAPL", "SMART", "USD")
    contract.conId = 265598
    execution = Execution(
        execId="0001.01", time=T0, acctNumber="DU1", side="BOT", shares=3.0, price=101.25,
        orderId=12, orderRef="key-1",
    )  # fmt: skip
    fill = Fill(contract, execution, commission or CommissionReport(), T0)
    order = ib_async.Order(orderId=12, action="BUY", totalQuantity=3, orderRef="key-1")
    trade = ib_async.Trade(contract, order, ib_async.OrderStatus(orderId=12, status="Filled"))
    return trade, fill


def test_fill_before_and_after_its_commission_report() -> None:
    trade, fill = _fill()
    out = stream_mapping.fill_event(fill, trade)
    assert (out.exec_id, out.order_id, out.contract_id, out.symbol) == (
        "0001.01", 12, 265598, "AAPL",
    )  # fmt: skip
    assert (out.side, out.quantity, out.price, out.time, out.account_id) == (
        "BUY", 3.0, 101.25, T0, "DU1",
    )  # fmt: skip
    assert out.client_order_id == "key-1" and out.commission is None
    report = CommissionReport(execId="0001.01", commission=1.0, currency="USD")
    trade, fill = _fill(report)
    out = stream_mapping.fill_event(fill, trade)
    assert (out.commission, out.commission_currency) == (1.0, "USD")


def test_order_position_and_account_value_events() -> None:
    trade, _ = _fill()
    trade.orderStatus.filled, trade.orderStatus.remaining = 3.0, 0.0
    event = stream_mapping.order_event(trade, T0)
    assert (event.order.order_id, event.order.status, event.order.filled_quantity) == (
        12, "Filled", 3.0,
    )  # fmt: skip
    assert event.order.error_message is None and event.timestamp == T0
    trade.log.append(ib_async.TradeLogEntry(T0, "Cancelled", "Error 201: rejected", 201))
    assert stream_mapping.order_event(trade, T0).order.error_message == "Error 201: rejected"
    position = ib_async.Position("DU1", trade.contract, 7.0, 100.0)
    out = stream_mapping.position_event(position, T0)
    assert out.account_id == "DU1" and out.position.position == 7.0
    assert out.position.average_cost == 100.0 and out.position.contract_id == 265598
    value = ib_async.AccountValue("DU1", "NetLiquidation", "100000", "USD", "")
    av = stream_mapping.account_value_event(value, T0)
    assert (av.value.key, av.value.value, av.value.currency) == ("NetLiquidation", "100000", "USD")

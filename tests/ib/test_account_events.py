"""Account events (order status, fills, positions, account values) from the simulator."""

from __future__ import annotations

from adapters.ib.broker import IbBroker
from adapters.simulated_gateway import TwsSimulator
from domain.orders import OrderRequest
from domain.streams import (
    AccountEvent,
    AccountValueEvent,
    FillEvent,
    OrderEvent,
    PnlEvent,
    PositionEvent,
)
from tests.ib.conftest import eventually, stock
from tests.ib.sinks import RecordingSink


def _of(sink: RecordingSink[AccountEvent], kind: type) -> list:
    return [e for e in sink.items if isinstance(e, kind)]


def _filled(sink: RecordingSink[AccountEvent], order_id: int) -> bool:
    statuses = [e.order.status for e in _of(sink, OrderEvent) if e.order.order_id == order_id]
    fills = [e for e in _of(sink, FillEvent) if e.order_id == order_id]
    return "Filled" in statuses and any(f.commission is not None for f in fills)


async def test_an_order_placed_and_filled_is_seen_by_every_open_sink(broker: IbBroker) -> None:
    aapl = await stock(broker)
    sink: RecordingSink[AccountEvent] = RecordingSink()
    other: RecordingSink[AccountEvent] = RecordingSink()
    sub = broker.feed.open_account_events(sink)
    broker.feed.open_account_events(other)
    placed = await broker.place_order(
        aapl,
        OrderRequest(action="BUY", quantity=3, contract_id=aapl.con_id, client_order_id="ev-1"),
    )
    await eventually(lambda: _filled(sink, placed.order_id) and _filled(other, placed.order_id))
    status = [e for e in _of(sink, OrderEvent) if e.order.order_id == placed.order_id][-1]
    assert status.order.filled_quantity == 3 and status.order.client_order_id == "ev-1"
    fills = [e for e in _of(sink, FillEvent) if e.order_id == placed.order_id]
    # pushed on the execution, and again with the commission once IB reports it
    assert fills[0].commission is None and fills[-1].commission is not None
    assert {f.exec_id for f in fills} == {fills[0].exec_id}
    fill = fills[-1]
    assert (fill.symbol, fill.side, fill.quantity, fill.contract_id) == (
        "AAPL", "BUY", 3.0, aapl.con_id,
    )  # fmt: skip
    assert fill.price > 0 and fill.client_order_id == "ev-1" and fill.account_id
    await eventually(lambda: bool(_of(sink, PositionEvent)) and bool(_of(sink, AccountValueEvent)))
    position = [e for e in _of(sink, PositionEvent) if e.position.contract_id == aapl.con_id][-1]
    assert position.position.position == 3.0 and position.account_id
    sub.close()
    sub.close()
    seen = len(sink.items)
    again = await broker.place_order(
        aapl, OrderRequest(action="SELL", quantity=3, contract_id=aapl.con_id)
    )
    await eventually(lambda: _filled(other, again.order_id))
    assert len(sink.items) == seen  # closed: nothing more
    assert len(broker.feed.account_events) == 1


async def test_account_events_survive_a_reconnect(
    broker: IbBroker, simulator: TwsSimulator
) -> None:
    aapl = await stock(broker)
    sink: RecordingSink[AccountEvent] = RecordingSink()
    broker.feed.open_account_events(sink)
    old = broker.supervisor.ib
    simulator.faults.drop_all_connections()
    await eventually(lambda: broker.supervisor.connected and broker.supervisor.ib is not old)
    placed = await broker.place_order(
        aapl, OrderRequest(action="BUY", quantity=1, contract_id=aapl.con_id)
    )
    await eventually(lambda: _filled(sink, placed.order_id))


async def test_the_accounts_pnl_streams_and_follows_a_fill(broker: IbBroker) -> None:
    aapl = await stock(broker)
    sink: RecordingSink[AccountEvent] = RecordingSink()
    broker.feed.open_account_events(sink)  # subscribes to the account's P&L
    await eventually(lambda: bool(_of(sink, PnlEvent)))
    first = _of(sink, PnlEvent)[-1]
    assert first.pnl.account_id and first.pnl.daily_pnl is not None
    seen = len(_of(sink, PnlEvent))
    placed = await broker.place_order(
        aapl, OrderRequest(action="BUY", quantity=5, contract_id=aapl.con_id)
    )
    await eventually(lambda: _filled(sink, placed.order_id))
    await eventually(lambda: len(_of(sink, PnlEvent)) > seen)  # the fill moved the P&L
    # the same subscription answers the P&L endpoint at once
    pnl = await broker.account_pnl(None)
    assert pnl.account_id == first.pnl.account_id

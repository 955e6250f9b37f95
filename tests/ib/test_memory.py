"""Requests leave nothing behind in ib_async's bookkeeping: what a snapshot or a failed lookup
registers in the session's ``Wrapper`` is removed again once the answer is in."""

from __future__ import annotations

import asyncio

import pytest

from adapters.ib.broker import IbBroker
from adapters.ib.calls import IbCalls
from adapters.ib.orders import IbOrders
from adapters.simulated_gateway import TwsSimulator
from application.clock import SystemClock
from domain.contract import Contract, ContractQuery
from domain.errors import BrokerTimeout, ContractNotFound
from domain.market_data import Quote
from domain.orders import OrderRequest
from tests.ib.conftest import eventually, make_broker, stock
from tests.ib.sinks import RecordingSink

NOWHERE = Contract(
    sec_type="STK", con_id=999_999_991, symbol="NOPE", exchange="SMART", currency="USD"
)


def _wrapper_sizes(broker: IbBroker) -> dict[str, int]:
    """The size of every map of ib_async's Wrapper a request can register itself in."""
    assert broker.supervisor.ib is not None
    wrapper = broker.supervisor.ib.wrapper
    return {
        "reqId2Ticker": len(wrapper.reqId2Ticker),
        "tickers": len(wrapper.tickers),
        "ticker2ReqId": sum(len(by_ticker) for by_ticker in wrapper.ticker2ReqId.values()),
        "_reqId2Contract": len(wrapper._reqId2Contract),
        "_futures": len(wrapper._futures),
        "_results": len(wrapper._results),
        "reqId2Subscriber": len(wrapper.reqId2Subscriber),
    }


async def test_snapshots_unregister_their_tickers(
    broker: IbBroker, simulator: TwsSimulator
) -> None:
    aapl = await stock(broker)
    msft = await stock(broker, "MSFT")
    await broker.snapshot(aapl)  # the first snapshot sets the session up (market data type)
    before = _wrapper_sizes(broker)

    for _ in range(25):  # answered snapshots, some sharing one IB request
        await asyncio.gather(broker.snapshot(aapl), broker.snapshot(aapl), broker.snapshot(msft))
    for _ in range(5):  # IB refuses the request (200: no security definition)
        with pytest.raises(ContractNotFound):
            await broker.snapshot(NOWHERE)
    simulator.faults.stop_market_data()  # IB ends each snapshot without a single tick
    for _ in range(5):
        await broker.snapshot(aapl)
    simulator.faults.resume_market_data()

    assert _wrapper_sizes(broker) == before


async def test_a_snapshot_that_times_out_unregisters_too(simulator: TwsSimulator) -> None:
    broker = make_broker(simulator, request_timeout=0.5)
    await broker.start()
    try:
        assert await broker.wait_connected(5)
        aapl = await stock(broker)
        await broker.snapshot(aapl)
        before = _wrapper_sizes(broker)
        simulator.faults.set_latency(2.0)  # IB answers after we gave up (and cancelled)
        for _ in range(3):
            with pytest.raises(BrokerTimeout):
                await broker.snapshot(aapl)
        await asyncio.sleep(2.5)  # the late answers arrive and must find nothing to fill
        simulator.faults.set_latency(0)
        await broker.snapshot(aapl)
        assert _wrapper_sizes(broker) == before
    finally:
        await broker.stop()


async def test_failed_lookups_leave_no_result_behind(broker: IbBroker) -> None:
    await stock(broker)
    before = _wrapper_sizes(broker)
    for i in range(10):
        found = await broker.contract_details(
            ContractQuery(symbol=f"NOPE{i}", sec_type="STK", exchange="SMART", currency="USD")
        )
        assert found == []
    assert _wrapper_sizes(broker) == before


async def test_a_quote_line_leaves_nothing_once_closed_even_after_1101(
    broker: IbBroker, simulator: TwsSimulator
) -> None:
    aapl = await stock(broker)
    before = _wrapper_sizes(broker)
    sink: RecordingSink[Quote] = RecordingSink()
    line = await broker.feed.open_quotes(aapl, sink)
    await eventually(lambda: len(sink.items) > 0, 3.0)
    simulator.faults.sever_with_1100()
    await eventually(lambda: broker.supervisor.state == "degraded", 2.0)
    simulator.faults.restore_1101()  # IB dropped the stream: it is asked for again
    await eventually(lambda: sink.pushes_after_stale() > 0, 3.0)
    line.close()
    assert _wrapper_sizes(broker) == before
    assert len(broker.supervisor.notices.routes) == 0


async def test_the_idempotency_key_map_is_bounded(broker: IbBroker) -> None:
    orders = IbOrders(IbCalls(broker.supervisor, broker.settings), SystemClock(), keys_kept=3)
    aapl = await stock(broker)
    placed = []
    for i in range(5):
        order = OrderRequest(
            action="BUY", quantity=1, order_type="LMT", limit_price=1.0, contract_id=aapl.con_id,
            client_order_id=f"bounded-{i}",
        )  # fmt: skip
        placed.append((await orders.place(aapl, order)).order_id)
    assert len(orders._ids_by_key) == 3  # the two oldest keys were forgotten
    assert [orders._ids_by_key.get(f"bounded-{i}") for i in range(5)] == [None, None, *placed[2:]]


async def test_finished_orders_are_forgotten_beyond_the_most_recent(broker: IbBroker) -> None:
    orders = IbOrders(IbCalls(broker.supervisor, broker.settings), SystemClock(), finished_kept=2)
    aapl = await stock(broker)

    def order(key: str, **changes: object) -> OrderRequest:
        fields: dict[str, object] = {
            "action": "BUY", "quantity": 1, "order_type": "LMT", "limit_price": 1.0,
            "contract_id": aapl.con_id, "client_order_id": key,
        }  # fmt: skip
        return OrderRequest(**(fields | changes))  # type: ignore[arg-type]

    resting = await orders.place(aapl, order("still-open"))
    cancelled = []
    for i in range(3):
        placed = await orders.place(aapl, order(f"over-{i}"))
        await orders.cancel(placed.order_id)
        cancelled.append(placed.order_id)
    for i in range(3):
        filled = await orders.place(aapl, order(f"filled-{i}", order_type="MKT", limit_price=None))
        assert filled.status == "Filled"
    await orders.cancel(cancelled[-1])  # already cancelled: a no-op that prunes again

    wrapper = broker.supervisor.ib.wrapper  # type: ignore[union-attr]
    kept = list(wrapper.trades.values())
    assert [t.order.orderRef for t in kept] == ["still-open", "filled-1", "filled-2"]
    assert all(any(t is k for k in kept) for t in wrapper.permId2Trade.values())
    assert {f.execution.execId for t in kept for f in t.fills} == set(wrapper.fills)

    # a forgotten order is still found by its key (IB's completed orders), still cancelled once
    again = await orders.find("over-0")
    assert again is not None and again.order_id == cancelled[0]
    assert again.status == "Cancelled"
    assert (await orders.cancel(cancelled[0])).message.startswith("Order already")
    assert resting.order_id in {t.order.orderId for t in wrapper.trades.values()}


async def test_a_request_ib_never_answered_leaves_nothing_once_its_caller_gave_up():
    from ib_async import IB

    from adapters.ib.bookkeeping import forget_finished

    wrapper = IB().wrapper
    future = wrapper.startReq(4242)  # type: ignore[no-untyped-call]
    live = wrapper.startReq(4343)  # type: ignore[no-untyped-call]
    future.cancel()  # the caller's time limit ran out; IB never answered
    forget_finished(wrapper)
    assert 4242 not in wrapper._futures and 4242 not in wrapper._results
    assert wrapper._futures.get(4343) is live  # a request still waiting is kept

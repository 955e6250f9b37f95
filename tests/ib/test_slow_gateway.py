"""A slow gateway: concurrent positions and open-orders calls share one IB request, and a
request's time limit counts from when it is sent, not from when it started to wait."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from adapters.ib.broker import IbBroker
from adapters.simulated_gateway import TwsSimulator
from domain.errors import BrokerTimeout
from domain.orders import OrderRequest
from tests.ib.conftest import connected, make_broker, stock


@pytest.fixture
async def slow_broker(simulator: TwsSimulator) -> AsyncIterator[IbBroker]:
    async with connected(simulator, request_timeout=3.0) as broker:
        yield broker


def sent(broker: IbBroker) -> int:
    ib = broker.supervisor.ib
    assert ib is not None
    return int(ib.client.conn.numMsgSent)


async def test_concurrent_positions_under_latency_share_one_request(
    slow_broker: IbBroker, simulator: TwsSimulator
) -> None:
    async with asyncio.timeout(20):
        aapl = await stock(slow_broker)
        await slow_broker.place_order(
            aapl, OrderRequest(action="BUY", quantity=5, contract_id=aapl.con_id)
        )
        simulator.faults.set_latency(2.0)
        before = sent(slow_broker)
        loop = asyncio.get_running_loop()
        started = loop.time()
        answers = await asyncio.gather(*(slow_broker.positions(None) for _ in range(20)))
        took = loop.time() - started
        assert sent(slow_broker) - before == 1  # one reqPositions for all twenty
        assert all(a == answers[0] for a in answers)
        assert [(p.symbol, p.position) for p in answers[0]] == [("AAPL", 5.0)]
        assert 1.9 < took < 3.0  # one round trip under the latency, not twenty in a row


async def test_concurrent_open_orders_under_latency_share_one_request(
    slow_broker: IbBroker, simulator: TwsSimulator
) -> None:
    async with asyncio.timeout(20):
        aapl = await stock(slow_broker)
        order = OrderRequest(
            action="BUY", quantity=1, order_type="LMT", limit_price=1.0, contract_id=aapl.con_id
        )
        placed = await slow_broker.place_order(aapl, order)
        simulator.faults.set_latency(2.0)
        before = sent(slow_broker)
        answers = await asyncio.gather(*(slow_broker.open_orders() for _ in range(20)))
        assert sent(slow_broker) - before == 1
        assert all([o.order_id for o in a] == [placed.order_id] for a in answers)


async def test_a_new_call_after_the_shared_one_asks_again(slow_broker: IbBroker) -> None:
    async with asyncio.timeout(10):
        before = sent(slow_broker)
        await slow_broker.positions(None)
        await slow_broker.positions(None)
        assert sent(slow_broker) - before == 2  # shared while in flight, never cached


async def test_time_behind_the_throttle_does_not_count(simulator: TwsSimulator) -> None:
    """ib_async holds messages back (45 per 1.1 s): a request queued behind ~2.5 s of other
    messages still gets its whole 1 s from when it is sent."""
    broker = make_broker(simulator, request_timeout=1.0)
    await broker.start()
    try:
        async with asyncio.timeout(20):
            assert await broker.wait_connected(5)
            ib = broker.supervisor.ib
            assert ib is not None
            for _ in range(135):  # three throttle windows of current-time requests
                ib.client.reqCurrentTime()
            loop = asyncio.get_running_loop()
            started = loop.time()
            assert await broker.positions(None) == []
            assert loop.time() - started > 1.5  # it did wait behind the throttle
    finally:
        await broker.stop()


async def test_waiting_has_its_own_bound(simulator: TwsSimulator) -> None:
    broker = make_broker(simulator, request_timeout=1.0, queue_timeout=0.5)
    await broker.start()
    try:
        async with asyncio.timeout(20):
            assert await broker.wait_connected(5)
            ib = broker.supervisor.ib
            assert ib is not None
            for _ in range(135):
                ib.client.reqCurrentTime()
            with pytest.raises(BrokerTimeout, match=r"not sent within 0\.5 s") as caught:
                await broker.positions(None)
            assert "throttle" in caught.value.message
    finally:
        await broker.stop()

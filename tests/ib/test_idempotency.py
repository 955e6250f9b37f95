"""A retried order with the same client_order_id is placed once, even across a reconnect."""

from __future__ import annotations

import asyncio

import pytest

from adapters.ib.broker import IbBroker
from adapters.simulated_gateway import TwsSimulator
from application.services.contracts import ContractService
from application.services.trading import TradingService
from domain.errors import BrokerTimeout, NotConnected
from domain.orders import OrderRequest
from tests.ib.conftest import connected, eventually, make_broker, stock


def _orders_at_gateway(simulator: TwsSimulator, key: str) -> int:
    world = simulator.world
    records = [*world.open_orders(), *world.completed_orders()]
    return sum(1 for r in records if r.spec.order_ref == key)


async def test_retry_after_reconnect_returns_the_first_order(
    broker: IbBroker, simulator: TwsSimulator
) -> None:
    async with asyncio.timeout(15):
        trading = TradingService(broker, ContractService(broker))
        order = OrderRequest(
            action="BUY", quantity=4, order_type="LMT", limit_price=2.0, contract_id=265598
        )
        first = await trading.place(order, idempotency_key="idem-1")
        simulator.faults.refuse_connections(0.5)  # a gateway restart
        await asyncio.sleep(0.05)
        with pytest.raises(NotConnected):
            await trading.place(order, idempotency_key="idem-1")  # never placed blind
        assert await broker.wait_connected(5)
        retry = await trading.place(order, idempotency_key="idem-1")
        assert retry.duplicate is True and retry.order_id == first.order_id
        assert _orders_at_gateway(simulator, "idem-1") == 1


async def test_drop_before_the_acknowledgement_then_retry(simulator: TwsSimulator) -> None:
    """The order reaches the gateway but the connection drops before IB's answer: the caller
    gets an error, and the retry finds the order at IB instead of placing a second one."""
    broker = make_broker(simulator, order_ack_timeout=3.0)
    await broker.start()
    try:
        async with asyncio.timeout(20):
            assert await broker.wait_connected(5)
            trading = TradingService(broker, ContractService(broker))
            order = OrderRequest(action="BUY", quantity=5, contract_id=265598)
            await broker.contract_details(order.contract_query())  # cached for the retry
            simulator.faults.set_latency(0.5)  # the gateway acts at once but answers late
            placing = asyncio.create_task(trading.place(order, idempotency_key="idem-2"))
            # it reached the gateway ...
            await eventually(lambda: _orders_at_gateway(simulator, "idem-2") == 1)
            assert not placing.done()  # ... and IB's answer is still on its way
            simulator.faults.drop_all_connections()
            with pytest.raises((NotConnected, BrokerTimeout)):
                await placing
            simulator.faults.set_latency(0)
            assert await broker.wait_connected(5)
            retry = await trading.place(order, idempotency_key="idem-2")
            assert retry.duplicate is True and retry.status == "Filled"
            await asyncio.sleep(0.2)
            assert _orders_at_gateway(simulator, "idem-2") == 1
    finally:
        await broker.stop()


async def test_a_burst_of_key_look_ups_shares_the_completed_orders_requests(
    broker: IbBroker, simulator: TwsSimulator
) -> None:
    # IB sends every completed order of the day for each request: a burst of placements must
    # not ask once per key, and each look-up must still see what was done before it was made
    async with asyncio.timeout(20):
        aapl = await stock(broker)
        earlier = OrderRequest(
            action="BUY", quantity=1, contract_id=aapl.con_id, client_order_id="earlier"
        )
        done = await broker.place_order(aapl, earlier)
        await eventually(lambda: _orders_at_gateway(simulator, "earlier") == 1)
        async with connected(simulator, client_id=29) as other:  # a session that did not place it
            ib = other.supervisor.ib
            assert ib is not None
            sent = 0
            ask = ib.client.reqCompletedOrders

            def counted(api_only: bool) -> None:
                nonlocal sent
                sent += 1
                ask(api_only)

            ib.client.reqCompletedOrders = counted  # type: ignore[method-assign]
            keys = [f"new-{i}" for i in range(7)] + ["earlier"]
            found = await asyncio.gather(*(other.find_order(key) for key in keys))
            assert found[:7] == [None] * 7
            assert found[7] is not None and found[7].order_id == done.order_id
            assert found[7].status == "Filled"
            assert 1 <= sent <= 2

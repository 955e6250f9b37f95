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
from tests.ib.conftest import eventually, make_broker


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

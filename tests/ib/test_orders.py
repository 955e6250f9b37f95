"""Orders through the real IbBroker: acknowledged, rejected, cancelled, found again."""

from __future__ import annotations

import asyncio

import msgspec
import msgspec.structs
import pytest

from adapters.ib.broker import IbBroker
from adapters.simulated_gateway import TwsSimulator
from domain.errors import InvalidRequest, NotConnected, OrderNotFound, OrderRejected, ReadOnly
from domain.orders import OrderRequest
from tests.ib.conftest import make_broker, stock


def limit_buy(con_id: int, key: str | None = None, **changes: object) -> OrderRequest:
    fields: dict[str, object] = {
        "action": "BUY",
        "quantity": 10,
        "order_type": "LMT",
        "limit_price": 1.0,  # far below the market: rests
        "contract_id": con_id,
        "client_order_id": key,
        **changes,
    }
    return OrderRequest(**fields)  # type: ignore[arg-type]


async def test_market_order_is_acknowledged_and_fills(broker: IbBroker) -> None:
    async with asyncio.timeout(10):
        aapl = await stock(broker)
        result = await broker.place_order(
            aapl, OrderRequest(action="BUY", quantity=3, contract_id=aapl.con_id)
        )
        assert result.order_id > 0 and result.status in ("Submitted", "Filled")
        found = None
        for _ in range(40):
            found = next(
                (t for t in broker.supervisor.ib.trades() if t.order.orderId == result.order_id),
                None,
            )  # type: ignore[union-attr]
            if found and found.orderStatus.status == "Filled":
                break
            await asyncio.sleep(0.05)
        assert found is not None and found.orderStatus.status == "Filled"
        assert found.orderStatus.avgFillPrice > 0


async def test_limit_order_rests_is_listed_and_cancelled(broker: IbBroker) -> None:
    async with asyncio.timeout(10):
        aapl = await stock(broker)
        placed = await broker.place_order(
            aapl, limit_buy(aapl.con_id, "rest-1", time_in_force="GTC", outside_rth=True)
        )
        assert placed.status in ("Submitted", "PreSubmitted") and placed.remaining_quantity == 10
        (listed,) = await broker.open_orders()
        assert (listed.order_id, listed.client_order_id) == (placed.order_id, "rest-1")
        assert listed.limit_price == 1.0 and listed.time_in_force == "GTC" and listed.outside_rth
        assert listed.account_id == "DU1234567"

        cancelled = await broker.cancel_order(placed.order_id)
        assert cancelled.status == "Cancelled"
        assert await broker.open_orders() == []
        again = await broker.cancel_order(placed.order_id)
        assert again.status == "Cancelled" and "already" in again.message


async def test_gtd_stop_limit_order_carries_its_fields(broker: IbBroker) -> None:
    async with asyncio.timeout(10):
        aapl = await stock(broker)
        request = OrderRequest(
            action="SELL",
            quantity=2,
            order_type="STP LMT",
            stop_price=5.0,
            limit_price=4.0,
            time_in_force="GTD",
            good_till_date="20991231 23:59:59",
            contract_id=aapl.con_id,
        )
        placed = await broker.place_order(aapl, request)
        (listed,) = [o for o in await broker.open_orders() if o.order_id == placed.order_id]
        assert (listed.order_type, listed.stop_price, listed.limit_price) == ("STP LMT", 5.0, 4.0)
        assert listed.time_in_force == "GTD" and listed.good_till_date.startswith("20991231")


async def test_rejected_order_raises_with_ib_text(
    broker: IbBroker, simulator: TwsSimulator
) -> None:
    async with asyncio.timeout(10):
        aapl = await stock(broker)
        simulator.faults.reject_next_order("Insufficient buying power")
        with pytest.raises(OrderRejected) as caught:
            await broker.place_order(aapl, limit_buy(aapl.con_id, "rej-1"))
        assert "Insufficient buying power" in caught.value.message
        assert caught.value.ib_code == 201
        # a rejected order never reached the market: its key is free for a corrected retry
        assert await broker.find_order("rej-1") is None


async def test_an_order_ib_refuses_to_validate_is_not_found_by_its_key(
    broker: IbBroker, simulator: TwsSimulator
) -> None:
    """IB's 321 leaves ib_async's trade at ValidationError with no permId: it never reached
    the market, so a retry with the same key must not be answered with it."""
    async with asyncio.timeout(10):
        aapl = await stock(broker)
        odd = msgspec.structs.replace(limit_buy(aapl.con_id, "rej-321"), quantity=1.5)
        with pytest.raises(InvalidRequest, match="IB error 321"):
            await broker.place_order(aapl, odd)
        assert await broker.find_order("rej-321") is None


async def test_cancel_unknown_and_filled_orders(broker: IbBroker) -> None:
    async with asyncio.timeout(10):
        with pytest.raises(OrderNotFound):
            await broker.cancel_order(987654)
        aapl = await stock(broker)
        filled = await broker.place_order(
            aapl, OrderRequest(action="BUY", quantity=1, contract_id=aapl.con_id)
        )
        await asyncio.sleep(0.2)
        result = await broker.cancel_order(filled.order_id)
        assert result.status == "Filled" and "already" in result.message


async def test_find_order_survives_a_reconnect(broker: IbBroker, simulator: TwsSimulator) -> None:
    async with asyncio.timeout(15):
        aapl = await stock(broker)
        resting = await broker.place_order(aapl, limit_buy(aapl.con_id, "keep-1"))
        filled = await broker.place_order(
            aapl,
            OrderRequest(
                action="BUY", quantity=1, contract_id=aapl.con_id, client_order_id="keep-2"
            ),
        )
        await asyncio.sleep(0.2)
        simulator.faults.drop_all_connections()
        await asyncio.sleep(0.1)
        assert await broker.wait_connected(5)
        found = await broker.find_order("keep-1")
        assert found is not None and found.order_id == resting.order_id
        assert found.status == "Submitted" and found.client_order_id == "keep-1"
        done = await broker.find_order("keep-2")
        assert done is not None and done.status == "Filled"
        assert done.order_id == filled.order_id and done.filled_quantity == 1
        assert await broker.find_order("never-used") is None


async def test_order_status_by_id_before_and_after_a_reconnect(
    broker: IbBroker, simulator: TwsSimulator
) -> None:
    async with asyncio.timeout(15):
        aapl = await stock(broker)
        resting = await broker.place_order(aapl, limit_buy(aapl.con_id, "status-1"))
        filled = await broker.place_order(
            aapl, OrderRequest(action="BUY", quantity=2, contract_id=aapl.con_id)
        )
        await asyncio.sleep(0.2)
        now = await broker.order_status(resting.order_id)
        assert now is not None and (now.order_id, now.status) == (resting.order_id, "Submitted")
        assert now.client_order_id == "status-1" and now.remaining_quantity == 10
        simulator.faults.drop_all_connections()
        await asyncio.sleep(0.1)
        assert await broker.wait_connected(5)
        still = await broker.order_status(resting.order_id)
        assert still is not None and still.status == "Submitted"
        done = await broker.order_status(filled.order_id)
        assert done is not None and (done.order_id, done.status) == (filled.order_id, "Filled")
        assert done.filled_quantity == 2 and done.average_fill_price > 0
        assert await broker.order_status(987654) is None


async def test_read_only_service_refuses_orders(simulator: TwsSimulator) -> None:
    broker = make_broker(simulator, readonly=True)
    await broker.start()
    try:
        async with asyncio.timeout(10):
            assert await broker.wait_connected(5)
            aapl = await stock(broker)
            with pytest.raises(ReadOnly):
                await broker.place_order(aapl, limit_buy(aapl.con_id))
            with pytest.raises(ReadOnly):
                await broker.cancel_order(1)
            assert simulator.world.open_orders() == []
            assert await broker.open_orders() == []  # reading still works
    finally:
        await broker.stop()


async def test_calls_after_stop_fail_at_once(broker: IbBroker) -> None:
    aapl = await stock(broker)
    await broker.stop()
    async with asyncio.timeout(1):
        for call in (
            broker.open_orders,
            lambda: broker.snapshot(aapl),
            lambda: broker.find_order("k"),
        ):
            with pytest.raises(NotConnected):
                await call()
    assert (await broker.connection_status()).state == "disconnected"


def test_a_live_order_with_a_mere_warning_is_still_found_by_its_key() -> None:
    """ib_async sets ValidationError for warnings too (e.g. 399) before IB's permId arrives:
    such an order is live, and a retry must find it rather than place it again."""
    from ib_async import Order, OrderStatus, Trade, TradeLogEntry

    from adapters.ib.orders import _by_ref

    def trade(code: int) -> Trade:
        t = Trade(order=Order(orderId=5, orderRef="warned"),
                  orderStatus=OrderStatus(orderId=5, status="ValidationError"))  # fmt: skip
        t.log.append(TradeLogEntry(time=None, status="ValidationError", message="", errorCode=code))  # type: ignore[arg-type]
        return t

    assert _by_ref([trade(399)], "warned") is not None
    assert _by_ref([trade(321)], "warned") is None

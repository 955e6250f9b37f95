"""Gateway faults: drops, restarts, silence, bursts, IB connectivity notices, client id clash."""

from __future__ import annotations

import asyncio

import pytest

from adapters.ib.broker import IbBroker
from adapters.simulated_gateway import TwsSimulator
from domain.errors import BrokerTimeout, NotConnected
from domain.market_data import Quote
from domain.orders import OrderRequest
from tests.ib.conftest import eventually, make_broker, stock
from tests.ib.sinks import RecordingSink


async def test_drop_fails_calls_at_once_then_reconnects_by_itself(
    broker: IbBroker, simulator: TwsSimulator
) -> None:
    async with asyncio.timeout(15):
        aapl = await stock(broker)
        simulator.faults.refuse_connections(1.0)
        await eventually(lambda: broker.supervisor.state != "connected", 1.0)
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(NotConnected) as caught:
            await broker.snapshot(aapl)
        with pytest.raises(NotConnected):
            await broker.account_summary(None)
        assert loop.time() - started < 1.0
        assert caught.value.retry_after >= 1
        status = await broker.connection_status()
        assert not status.connected and status.state in ("disconnected", "connecting")
        assert status.last_error

        waited = await eventually(lambda: broker.supervisor.connected, 5.0)
        assert waited < 5.0
        status = await broker.connection_status()
        assert status.connected and status.state == "connected" and status.server_version
        assert (await broker.snapshot(aapl)).last_price


async def test_one_drop_is_one_reconnect(broker: IbBroker, simulator: TwsSimulator) -> None:
    async with asyncio.timeout(10):
        before = broker.supervisor.attempts
        simulator.faults.drop_all_connections()
        await eventually(lambda: broker.supervisor.state != "connected", 1.0)
        await eventually(lambda: broker.supervisor.connected, 5.0)
        await asyncio.sleep(0.3)
        assert broker.supervisor.attempts == before + 1
        assert simulator.client_count == 1


async def test_silent_gateway_times_out(simulator: TwsSimulator) -> None:
    broker = make_broker(simulator, request_timeout=1.0)
    await broker.start()
    try:
        async with asyncio.timeout(10):
            assert await broker.wait_connected(5)
            aapl = await stock(broker)
            simulator.faults.set_latency(30)
            loop = asyncio.get_running_loop()
            for call in (
                lambda: broker.snapshot(aapl),
                broker.open_orders,
                broker.scanner_parameters,
            ):
                started = loop.time()
                with pytest.raises(BrokerTimeout):
                    await call()
                assert loop.time() - started < 1.5
    finally:
        await broker.stop()


async def test_two_hundred_concurrent_snapshots(simulator: TwsSimulator) -> None:
    """Distinct contracts, so every snapshot is its own IB request (no sharing): ib_async's
    throttle (45 messages per 1.1 s, ~4.9 s for 200) and the market-data-line limit keep IB
    happy (no error 100), and every snapshot completes within the production request timeout
    (10 s)."""
    broker = make_broker(simulator, request_timeout=10.0)
    await broker.start()
    try:
        async with asyncio.timeout(40):
            assert await broker.wait_connected(5)
            client = broker.supervisor.ib.client  # type: ignore[union-attr]
            assert (client.MaxRequests, client.RequestsInterval) == (45, 1.1)
            chains = await broker.option_chains("CCJ", "STK", 1447060)
            smart = next(c for c in chains if c.exchange == "SMART")
            options = await broker.qualify_options(
                "CCJ", smart, smart.expirations[:5], smart.strikes[:20], ["C", "P"]
            )
            assert len(options) == 200
            quotes = await asyncio.gather(*(broker.snapshot(o) for o in options))
            assert len({q.contract_id for q in quotes}) == 200
            empty = [q for q in quotes if q.market_data_type != "live" or not (q.ask or q.close)]
            assert not empty, empty[:3]
            assert broker.supervisor.error_counts[100] == 0, broker.supervisor.error_counts
    finally:
        await broker.stop()


async def test_connectivity_lost_and_restored_keeps_socket_and_subscriptions(
    broker: IbBroker, simulator: TwsSimulator
) -> None:
    async with asyncio.timeout(10):
        aapl = await stock(broker)
        sink: RecordingSink[Quote] = RecordingSink()
        await broker.feed.open_quotes(aapl, sink)
        attempts = broker.supervisor.attempts
        simulator.faults.sever_with_1100()
        await eventually(lambda: broker.supervisor.state == "degraded", 2.0)
        status = await broker.connection_status()
        assert status.connected and status.state == "degraded"
        with pytest.raises(NotConnected):  # orders are never queued while IB is unreachable
            await broker.place_order(aapl, OrderRequest(action="BUY", quantity=1, contract_id=1))
        simulator.faults.restore_1101()  # IB dropped our market data subscriptions
        await eventually(lambda: broker.supervisor.state == "connected", 2.0)
        await eventually(lambda: sink.pushes_after_stale() > 0, 3.0)  # resubscribed: flowing
        assert broker.supervisor.attempts == attempts  # the socket was never torn down
        simulator.faults.stop_market_data()  # farm notice 2103: status only
        await eventually(lambda: _farm_ok(broker, "usfarm") is False, 2.0)
        assert broker.supervisor.state == "connected"
        status = await broker.connection_status()
        assert [f.name for f in status.broken_market_data_farms] == ["usfarm"]
        simulator.faults.resume_market_data()  # 2104: the farm is back
        await eventually(lambda: _farm_ok(broker, "usfarm") is True, 2.0)
        assert broker.supervisor.attempts == attempts


async def test_start_with_gateway_down_then_connect(simulator: TwsSimulator) -> None:
    async with asyncio.timeout(10):
        simulator.faults.refuse_connections(0.7)
        broker = make_broker(simulator)
        await broker.start()  # does not fail
        try:
            status = await broker.connection_status()
            assert not status.connected
            assert await broker.wait_connected(5)
            assert broker.supervisor.attempts >= 2
        finally:
            await broker.stop()


async def test_client_id_in_use_backs_off_and_retries(
    broker: IbBroker, simulator: TwsSimulator
) -> None:
    async with asyncio.timeout(10):
        rival = make_broker(simulator)  # the same client id as ``broker``
        await rival.start()
        try:
            await eventually(lambda: rival.supervisor.attempts >= 2, 3.0)
            assert not rival.supervisor.connected
            assert "already in use" in (rival.supervisor.last_error or "")
            await broker.stop()
            assert await rival.wait_connected(3)
        finally:
            await rival.stop()


async def test_forced_reconnect(broker: IbBroker) -> None:
    async with asyncio.timeout(10):
        first = broker.supervisor.ib
        await broker.reconnect()
        status = await broker.connection_status()
        assert status.connected and broker.supervisor.ib is not first


def _farm_ok(broker: IbBroker, name: str) -> bool | None:
    farm = broker.supervisor.farms.get(name)
    return None if farm is None else farm.ok

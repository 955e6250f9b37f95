"""Injected faults as a real ib_async client experiences them."""

from __future__ import annotations

import asyncio
import math
from datetime import datetime, timedelta

import pytest
from ib_async import IB, LimitOrder, Stock

from tests.simulator.e2e import HOST, client, error_codes, simulator, wait_until


async def test_dropped_connections_fire_disconnected_event() -> None:
    async with simulator() as sim, client(sim) as ib:
        gone = asyncio.Event()
        ib.disconnectedEvent += gone.set
        sim.faults.drop_all_connections()
        async with asyncio.timeout(3):
            await gone.wait()
        assert not ib.isConnected()
        await wait_until(lambda: sim.client_count == 0)


async def test_refused_connections_then_back_on_the_same_port() -> None:
    async with simulator() as sim:
        port = sim.port
        sim.faults.refuse_connections(0.5)
        with pytest.raises(OSError):
            async with asyncio.timeout(3):
                await IB().connectAsync(HOST, port, clientId=1, timeout=1)
        await asyncio.sleep(0.7)
        assert sim.port == port
        async with client(sim) as ib:
            assert ib.isConnected()


async def test_silenced_market_data_leaves_snapshots_without_prices() -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(5):
        (aapl,) = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
        sim.faults.stop_market_data()
        await wait_until(lambda: 2103 in error_codes(ib))
        (silent,) = await ib.reqTickersAsync(aapl)
        assert math.isnan(silent.bid) and math.isnan(silent.last)
        sim.faults.resume_market_data()
        await wait_until(lambda: error_codes(ib).count(2104) >= 2)
        (ticker,) = await ib.reqTickersAsync(aapl)
        assert ticker.bid > 0


async def test_latency_delays_replies() -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(5):
        sim.faults.set_latency(0.3)
        loop = asyncio.get_running_loop()
        started = loop.time()
        await ib.reqCurrentTimeAsync()
        assert loop.time() - started >= 0.28
        sim.faults.set_latency(0)
        await ib.reqCurrentTimeAsync()


async def test_connectivity_lost_and_restored_keeps_the_socket() -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(5):
        sim.faults.sever_with_1100()
        await wait_until(lambda: 1100 in error_codes(ib))
        sim.faults.restore_1102()
        await wait_until(lambda: 1102 in error_codes(ib))
        sim.faults.sever_with_1100()
        sim.faults.restore_1101()
        await wait_until(lambda: 1101 in error_codes(ib))
        assert ib.isConnected()


async def test_message_flood_warns_with_100_and_stays_connected() -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(5):
        ib.client.MaxRequests = 0  # type: ignore[misc]
        for _ in range(80):
            ib.client.reqCurrentTime()
        await wait_until(lambda: 100 in error_codes(ib))
        assert error_codes(ib).count(100) == 1
        await ib.reqCurrentTimeAsync()
        assert ib.isConnected()


async def test_silenced_market_data_stops_depth_bars_and_tick_by_tick() -> None:
    async with simulator(tick_interval=3600) as sim, client(sim) as ib, asyncio.timeout(5):
        (aapl,) = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
        sim.faults.stop_market_data()
        await wait_until(lambda: 2103 in error_codes(ib))
        depth = ib.reqMktDepth(aapl, numRows=3)
        bars = ib.reqRealTimeBars(aapl, 5, "MIDPOINT", False)
        ticks = ib.reqTickByTickData(aapl, "MidPoint")
        got: list = []
        ticks.updateEvent += lambda t: got.extend(t.tickByTicks)
        sim.advance(5)
        await ib.reqCurrentTimeAsync()  # a round trip: whatever was sent has arrived
        assert not depth.domBids and not bars and not got
        sim.faults.resume_market_data()
        sim.advance(5)
        await wait_until(lambda: depth.domBids and len(bars) == 1 and got)
        assert bars[0].time.timestamp() % 10 == 5  # the silent window's bar is lost


async def test_no_history_and_no_order_reaches_ib_while_connectivity_is_lost() -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(5):
        (aapl,) = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
        (ticker,) = await ib.reqTickersAsync(aapl)
        sim.faults.sever_with_1100()
        bars = await ib.reqHistoricalDataAsync(aapl, "", "1 D", "1 hour", "TRADES", True)
        assert not bars
        assert [(code, "connectivity" in text) for _, code, text in ib.errors if code == 162] == [  # type: ignore[attr-defined]
            (162, True)
        ]
        trade = ib.placeOrder(aapl, LimitOrder("BUY", 1, round(ticker.bid * 0.5, 2)))
        await ib.reqCurrentTimeAsync()  # answered after the order was read: it got no reply
        assert trade.orderStatus.status == "PendingSubmit"
        sim.faults.restore_1102()
        await wait_until(lambda: trade.orderStatus.status == "Submitted")
        assert await ib.reqHistoricalDataAsync(aapl, "", "1 D", "1 hour", "TRADES", True)


async def test_order_instructions_held_during_an_outage_are_bounded(monkeypatch) -> None:
    from adapters.simulated_gateway.tws import session as session_module

    monkeypatch.setattr(session_module, "MAX_HELD_ORDERS", 2)
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(5):
        (aapl,) = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
        sim.faults.sever_with_1100()
        trades = [ib.placeOrder(aapl, LimitOrder("BUY", 1, 100.0)) for _ in range(3)]
        await ib.reqCurrentTimeAsync()
        assert [t.orderStatus.status for t in trades[:2]] == ["PendingSubmit"] * 2
        await wait_until(lambda: trades[2].orderStatus.status == "Cancelled")
        assert 201 in error_codes(ib)
        sim.faults.restore_1102()
        await wait_until(lambda: all(t.orderStatus.status == "Submitted" for t in trades[:2]))


async def test_every_historical_data_request_fails_with_162_while_connectivity_is_lost() -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(5):
        (aapl,) = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
        start = sim.world.now() - timedelta(hours=1)
        sim.faults.sever_with_1100()
        assert await ib.reqHeadTimeStampAsync(aapl, "TRADES", True, 2) == []
        assert await ib.reqHistogramDataAsync(aapl, True, "1 day") == []
        assert await ib.reqHistoricalTicksAsync(aapl, start, "", 10, "TRADES", True) == []
        lost = [t for _, code, t in ib.errors if code == 162]  # type: ignore[attr-defined]
        assert len(lost) == 3 and all("connectivity" in text for text in lost)
        sim.faults.restore_1101()
        assert isinstance(await ib.reqHeadTimeStampAsync(aapl, "TRADES", True, 2), datetime)
        assert await ib.reqHistogramDataAsync(aapl, True, "1 day")
        assert await ib.reqHistoricalTicksAsync(aapl, start, "", 10, "TRADES", True)
        assert error_codes(ib).count(162) == 3


async def test_an_order_held_during_an_outage_is_sent_on_at_1101() -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(5):
        (aapl,) = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
        sim.faults.sever_with_1100()
        trade = ib.placeOrder(aapl, LimitOrder("BUY", 1, 100.0))
        await ib.reqCurrentTimeAsync()
        assert trade.orderStatus.status == "PendingSubmit"
        sim.faults.restore_1101()
        await wait_until(lambda: trade.orderStatus.status == "Submitted")
        assert 1101 in error_codes(ib)

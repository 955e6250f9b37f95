"""ib_async connects to the simulator and reads the account like a paper account."""

from __future__ import annotations

import asyncio

import pytest
from ib_async import IB, Stock

from adapters.simulated_gateway.tws.wire import frame, frame_raw
from tests.simulator.e2e import HOST, client, error_codes, simulator, wait_until


async def test_connect_sync_and_farm_notices() -> None:
    async with simulator() as sim, client(sim, 3) as ib:
        assert ib.isConnected()
        assert ib.managedAccounts() == [sim.world.account]
        await wait_until(lambda: {2104, 2106, 2158} <= set(error_codes(ib)))
        async with asyncio.timeout(3):
            now = await ib.reqCurrentTimeAsync()
        assert abs(now.timestamp() - sim.world.now().timestamp()) < 5
        assert ib.client.serverVersion() == 178


async def test_account_summary_values_positions_portfolio() -> None:
    async with simulator() as sim, client(sim) as ib:
        async with asyncio.timeout(3):
            summary = await ib.accountSummaryAsync()
        tags = {v.tag for v in summary}
        assert "NetLiquidation" in tags
        ledger = {(v.tag, v.currency) for v in summary if v.tag == "CashBalance"}
        assert {("CashBalance", "BASE"), ("CashBalance", "USD")} <= ledger  # $LEDGER:ALL
        assert all(v.account == sim.world.account for v in summary)
        values = {(v.tag, v.currency) for v in ib.accountValues()}
        assert ("NetLiquidation", "USD") in values
        expected = {(p.instrument.con_id, p.position) for p in sim.world.positions()}
        assert {(p.contract.conId, p.position) for p in ib.positions()} == expected
        assert {(p.contract.conId, p.position) for p in ib.portfolio()} == expected


async def test_two_clients_get_their_own_order_ids() -> None:
    async with simulator() as sim, client(sim, 1) as first, client(sim, 2) as second:
        assert first.client.getReqId() >= 1 and second.client.getReqId() >= 1
        assert sim.client_count == 2


async def test_duplicate_client_id_gets_326_and_is_closed() -> None:
    async with simulator() as sim, client(sim, 7):
        intruder = IB()
        codes: list[int] = []
        intruder.errorEvent += lambda _r, code, _t, _c: codes.append(code)
        with pytest.raises((TimeoutError, ConnectionError)):
            async with asyncio.timeout(4):
                await intruder.connectAsync(HOST, sim.port, clientId=7, timeout=1)
        assert 326 in codes
        assert sim.client_count == 1


async def test_unknown_message_id_keeps_the_connection() -> None:
    async with simulator() as sim, client(sim) as ib:
        ib.client.send(999, 1, "whatever")
        async with asyncio.timeout(3):
            await ib.reqCurrentTimeAsync()
        assert ib.isConnected()


async def test_req_ids_answers_next_valid_id() -> None:
    async with simulator() as sim, client(sim) as ib:
        got: list[int] = []
        ib.wrapper.nextValidId = got.append  # type: ignore[method-assign]
        ib.client.reqIds(1)
        await wait_until(lambda: bool(got))
        assert got[0] == sim.order_ids.next_valid(1)


async def test_client_eof_releases_client_id_and_subscriptions() -> None:
    async with simulator() as sim:
        async with client(sim, 4) as ib:
            async with asyncio.timeout(3):
                (aapl,) = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
            ib.reqMktData(aapl)
            await wait_until(lambda: bool(sim.session_for(4).market.streams))
            session = sim.session_for(4)
        await wait_until(lambda: sim.session_for(4) is None)
        assert not session.market.streams
        async with client(sim, 4) as again:
            assert again.isConnected()


async def test_stop_is_idempotent_and_start_again_reuses_the_port() -> None:
    async with simulator() as sim:
        port = sim.port
        async with client(sim) as ib:
            gone = asyncio.Event()
            ib.disconnectedEvent += gone.set
            async with asyncio.timeout(3):
                await sim.stop()
                await sim.stop()
                await gone.wait()
                await sim.start()
        assert sim.port == port
        async with client(sim) as again:
            assert again.isConnected()


async def test_a_failing_world_call_ends_the_request_with_an_error() -> None:
    from tests.simulator.stub_world import StubWorld

    class BrokenWorld(StubWorld):
        def find(self, query):
            raise RuntimeError("world bug")

    async with simulator(BrokenWorld()) as sim, client(sim) as ib, asyncio.timeout(5):
        assert await ib.reqContractDetailsAsync(Stock("AAPL", "SMART", "USD")) == []
        assert 320 in error_codes(ib)
        assert ib.isConnected()


async def test_the_33rd_client_is_refused_with_502_and_closed() -> None:
    async with simulator() as sim:
        sockets = []
        try:
            for client_id in range(100, 132):
                reader, writer = await asyncio.open_connection(HOST, sim.port)
                writer.write(b"API\0" + frame_raw(b"v157..178"))
                await reader.read(4)  # the handshake's length prefix: the version is agreed
                writer.write(frame(["71", "2", str(client_id), ""]))
                sockets.append(writer)
            await wait_until(lambda: sim.client_count == 32)
            intruder = IB()
            codes: list[tuple[int, int, str]] = []
            intruder.errorEvent += lambda req_id, code, text, _c: codes.append((req_id, code, text))
            with pytest.raises((TimeoutError, ConnectionError)):
                async with asyncio.timeout(4):
                    await intruder.connectAsync(HOST, sim.port, clientId=7, timeout=2)
            assert [(req_id, code) for req_id, code, _ in codes] == [(-1, 502)]
            text = codes[0][2]  # IB's 502 text, with the reason: the 32 clients already there
            assert text.startswith("Couldn't connect to TWS.") and "(32)" in text
            assert sim.client_count == 32 and sim.session_for(7) is None
        finally:
            for writer in sockets:
                writer.close()

"""The loopback-only control interface and the standalone runner."""

from __future__ import annotations

import asyncio
import json

import pytest
from ib_async import IB, Stock

from adapters.simulated_gateway.control.standalone import ControlServer, is_loopback, run_standalone
from tests.simulator.e2e import client, simulator


async def _http(port: int, method: str, target: str) -> tuple[int, dict]:
    async with asyncio.timeout(3):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"{method} {target} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".encode())
        await writer.drain()
        raw = await reader.read()
        writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


def test_refuses_non_loopback_binds() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0")
    with pytest.raises(ValueError):
        ControlServer(object(), host="0.0.0.0")  # type: ignore[arg-type]


async def test_faults_over_http() -> None:
    async with simulator() as sim, client(sim) as ib:
        control = ControlServer(sim)
        await control.start()
        try:
            status, body = await _http(control.port, "GET", "/status")
            assert status == 200 and body["simulator"] and body["clients"] == 1
            asked = body["requests"].get("1", 0)
            await ib.reqTickersAsync(*await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD")))
            _, body = await _http(control.port, "GET", "/status")
            assert body["requests"]["1"] == asked + 1 and body["pacing_violations"] == 0
            status, body = await _http(control.port, "POST", "/faults/set_latency?seconds=0.05")
            assert status == 200 and body["latency"] == 0.05
            status, _ = await _http(control.port, "POST", "/faults/stop_market_data")
            assert status == 200 and not sim.faults.market_data_flowing
            assert (await _http(control.port, "POST", "/faults/nope"))[0] == 404
            assert (await _http(control.port, "POST", "/faults/refuse_connections"))[0] == 400
            gone = asyncio.Event()
            ib.disconnectedEvent += gone.set
            assert (await _http(control.port, "POST", "/faults/drop_all_connections"))[0] == 200
            async with asyncio.timeout(3):
                await gone.wait()
        finally:
            await control.stop()


async def test_run_standalone_serves_until_cancelled() -> None:
    pytest.importorskip("adapters.simulated_gateway.world")
    probe = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = probe.sockets[0].getsockname()[1]  # a free port for the standalone gateway
    probe.close()
    await probe.wait_closed()
    task = asyncio.create_task(run_standalone(port=port, control_port=0))
    try:
        ib = IB()
        for _ in range(50):  # bounded wait for the listener
            try:
                async with asyncio.timeout(3):
                    await ib.connectAsync("127.0.0.1", port, clientId=1, timeout=2)
                break
            except OSError:
                await asyncio.sleep(0.05)
        assert ib.isConnected()
        ib.disconnect()
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            async with asyncio.timeout(3):
                await task

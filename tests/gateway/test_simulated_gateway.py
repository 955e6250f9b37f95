"""SimulatedGateway: the embedded simulator behind the GatewayRuntime port."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from ib_async import IB

from adapters.docker.api_probe import api_accepts
from adapters.simulated_gateway import SimulatedGateway


@pytest.fixture
async def gateway() -> AsyncIterator[SimulatedGateway]:
    runtime = SimulatedGateway(tick_interval=0.05)
    try:
        yield runtime
    finally:
        await runtime.stop()


async def connected_client(host: str, port: int) -> IB:
    ib = IB()
    async with asyncio.timeout(8):
        await ib.connectAsync(host, port, clientId=5, timeout=6)
    return ib


async def test_start_listens_on_loopback_and_reports_ready(gateway: SimulatedGateway):
    await gateway.start()

    host, port = gateway.api_endpoint()
    status = await gateway.status()

    assert host == "127.0.0.1" and port > 0
    assert await api_accepts(host, port)
    assert (status.status, status.phase, status.kind) == ("running", "ready", "simulated")
    assert status.container_id is None
    assert status.started_at is not None
    assert (status.api_port, status.ports, status.restart_count) == (port, {"api": port}, 0)


async def test_restart_keeps_the_port_and_clients_can_connect_again(gateway: SimulatedGateway):
    await gateway.start()
    host, port = gateway.api_endpoint()
    ib = await connected_client(host, port)
    dropped = asyncio.Event()
    ib.disconnectedEvent += dropped.set
    try:
        await gateway.restart()
        async with asyncio.timeout(5):
            await dropped.wait()  # the restart dropped the session
    finally:
        ib.disconnect()

    assert gateway.api_endpoint() == (host, port)
    again = await connected_client(host, port)
    try:
        assert again.isConnected()
    finally:
        again.disconnect()
    status = await gateway.status()
    assert (status.status, status.phase, status.restart_count) == ("running", "ready", 1)


async def test_stop_and_logs(gateway: SimulatedGateway):
    await gateway.start()
    host, port = gateway.api_endpoint()
    await gateway.stop()

    assert not await api_accepts(host, port)
    status = await gateway.status()
    assert (status.status, status.phase) == ("stopped", "stopped")
    lines = await gateway.logs(10)
    assert any(f"listening on {host}:{port}" in line for line in lines)
    assert "stopped" in lines[-1]
    assert len(await gateway.logs(1)) == 1

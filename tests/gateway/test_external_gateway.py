"""ExternalGateway: probes someone else's gateway and manages nothing."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest

from adapters.external.gateway import ExternalGateway
from domain.errors import NotSupported


@pytest.fixture
async def listener() -> AsyncIterator[int]:
    """A loopback server that holds connections open, as the TWS API socket does."""
    held: list[asyncio.StreamWriter] = []

    async def hold(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        for writer in held:
            writer.close()
        server.close()
        async with asyncio.timeout(5):
            await server.wait_closed()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_status_is_running_when_the_api_port_accepts(listener: int):
    gateway = ExternalGateway("127.0.0.1", listener)
    await gateway.start()

    status = await gateway.status()

    assert (status.status, status.phase, status.kind) == ("running", "ready", "external")
    assert (status.api_host, status.api_port) == ("127.0.0.1", listener)
    assert status.container_id is None
    assert gateway.api_endpoint() == ("127.0.0.1", listener)


async def test_an_unreachable_gateway_does_not_fail_start_and_shows_in_status():
    port = closed_port()
    gateway = ExternalGateway("127.0.0.1", port, probe_timeout=0.5)

    await gateway.start()  # the broker keeps retrying; the service must still come up
    status = await gateway.status()

    assert (status.status, status.phase) == ("unreachable", "unknown")
    assert str(port) in (status.message or "")


async def test_a_listener_that_closes_at_once_is_not_a_gateway():
    async def close_now(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()  # what Docker's port proxy does while nothing listens behind it

    server = await asyncio.start_server(close_now, "127.0.0.1", 0)
    try:
        gateway = ExternalGateway("127.0.0.1", server.sockets[0].getsockname()[1])
        assert (await gateway.status()).status == "unreachable"
    finally:
        server.close()
        async with asyncio.timeout(5):
            await server.wait_closed()


async def test_logs_and_restart_are_not_supported(listener: int):
    gateway = ExternalGateway("127.0.0.1", listener)

    with pytest.raises(NotSupported, match="logs are not available for an external gateway"):
        await gateway.logs(10)
    with pytest.raises(NotSupported, match="restart"):
        await gateway.restart()
    await gateway.stop()  # leaves it alone
    assert (await gateway.status()).status == "running"

"""The service's start-up with a Docker gateway: fast failures stop it, a slow login does not."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest

from adapters.docker.gateway import DockerGateway
from adapters.docker.profiles import DockerGatewaySettings
from domain.errors import GatewayError
from entrypoints.bootstrap import _gateway_lifecycle
from entrypoints.settings import Secret, settings_from_env

SETTINGS = settings_from_env(
    {}, gateway="docker", ib_gateway_username="u", ib_gateway_password=Secret("pw-123456")
)


async def test_a_gateway_waiting_for_login_does_not_hold_up_the_service(make_gateway):
    gateway = make_gateway(env={"FAKE_NO_API": "1"}, start_timeout=60.0)
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with asyncio.timeout(30):
        async with _gateway_lifecycle(gateway, SETTINGS):
            # serving now, well before the 60 s start timeout: the phase is visible
            assert loop.time() - started < 15
            status = await gateway.status()
            assert status.phase in ("starting", "waiting_for_login")
            assert status.status == "running"
    await gateway.stop()


async def test_an_unreachable_docker_engine_stops_the_start_up(tmp_path: Path):
    path = tmp_path / "docker.sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))  # nobody listens
    gateway = DockerGateway(
        DockerGatewaySettings(username="u", docker_host=f"unix://{path}", docker_timeout=2)
    )
    try:
        async with asyncio.timeout(15):
            with pytest.raises(GatewayError, match="DOCKER_HOST"):
                async with _gateway_lifecycle(gateway, SETTINGS):
                    pytest.fail("the service must not start without Docker")
    finally:
        await gateway.close()

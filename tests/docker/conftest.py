"""Fixtures for tests against a real Docker engine (``DOCKER_HOST``, e.g. the one .ci/run starts).

Without a reachable engine or the fake gateway image these tests fail when ``CI`` is set, so a
broken CI setup cannot pass by skipping them, and are skipped on a developer's machine.
"""

from __future__ import annotations

import http.client
import os
import socket
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiodocker
import pytest

from adapters.docker.gateway import DockerGateway
from adapters.docker.profiles import DockerGatewaySettings

FAKE_IMAGE = "ibkr-mcp/fake-gateway:test"
SETUP_HINT = (
    "start an engine and build the image with `bash deploy/ci/start-dockerd.sh` (as root), then "
    "export DOCKER_HOST=unix:///tmp/ibkr-mcp-docker.sock"
)


def _docker_host() -> str:
    return os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"


class _UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: str) -> None:
        super().__init__("localhost", timeout=5)
        self._path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(5)
        sock.connect(self._path)
        self.sock = sock


def _get(host: str, path: str) -> int:
    if host.startswith("unix://"):
        conn: http.client.HTTPConnection = _UnixHTTPConnection(host.removeprefix("unix://"))
    else:
        conn = http.client.HTTPConnection(host.split("://")[-1], timeout=5)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    finally:
        conn.close()


def _unavailable(reason: str) -> None:
    message = f"Docker tests need an engine and {FAKE_IMAGE}: {reason}; {SETUP_HINT}"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def docker_host() -> str:
    host = _docker_host()
    try:
        status = _get(host, "/_ping")
    except OSError as exc:
        _unavailable(f"no Docker engine answers at {host} (DOCKER_HOST): {exc}")
    else:
        if status != 200:
            _unavailable(f"the Docker engine at {host} answered /_ping with HTTP {status}")
        if _get(host, f"/images/{FAKE_IMAGE}/json") != 200:
            _unavailable(f"the image {FAKE_IMAGE} is missing from the engine at {host}")
    return host


@pytest.fixture
async def docker(docker_host: str) -> AsyncIterator[aiodocker.Docker]:
    client = aiodocker.Docker(url=docker_host)
    try:
        yield client
    finally:
        await client.close()


@pytest.fixture
async def container_name(docker: aiodocker.Docker) -> AsyncIterator[str]:
    """A unique container name; whatever container has it is removed after the test."""
    name = f"ibkr-mcp-test-{uuid.uuid4().hex[:10]}"
    yield name
    try:
        await docker.containers.container(name).delete(force=True)
    except aiodocker.DockerError as exc:
        if exc.status != 404:
            raise


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def password_file(tmp_path: Path) -> Path:
    path = tmp_path / "ib-password"
    path.write_text("Sup3r-Secret-Pw-42\n", encoding="utf-8")
    path.chmod(0o644)  # the gateway in the container runs as another user
    return path


@pytest.fixture
async def make_gateway(
    docker_host: str, container_name: str, password_file: Path
) -> AsyncIterator[Callable[..., DockerGateway]]:
    """Build DockerGateways on the fake image; their Docker clients are closed afterwards."""
    made: list[DockerGateway] = []
    port = free_port()

    def make(*, env: dict[str, str] | None = None, **overrides: Any) -> DockerGateway:
        values: dict[str, Any] = {
            "image": FAKE_IMAGE,
            "container_name": container_name,
            "docker_host": docker_host,
            "username": "test-user",
            "password_file": password_file,
            "api_host_port": port,
            "novnc_host_port": None,
            "start_timeout": 20.0,
            "docker_timeout": 20.0,
            "stop_grace": 2,
            "env": {"FAKE_LOGIN_DELAY": "1", **(env or {})},
        }
        values.update(overrides)
        gateway = DockerGateway(DockerGatewaySettings(**values), poll_interval=0.2)
        made.append(gateway)
        return gateway

    yield make
    for gateway in made:
        await gateway.close()


@pytest.fixture
def inspect(docker: aiodocker.Docker) -> Callable[[str], Any]:
    async def get(name: str) -> dict[str, Any]:
        return await docker.containers.container(name).show()

    return get

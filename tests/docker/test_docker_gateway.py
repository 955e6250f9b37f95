"""DockerGateway against a real Docker engine and the fake gateway image (deploy/fake-gateway)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiodocker
import msgspec
import pytest
from structlog.testing import capture_logs

from adapters.docker.api_probe import api_accepts
from domain.errors import GatewayError

pytestmark = pytest.mark.docker

SECRET = "Sup3r-Secret-Pw-42"  # what the password_file fixture holds


async def test_creates_a_labelled_container_published_on_loopback_only(make_gateway, inspect):
    gateway = make_gateway()
    await gateway.start()

    info = await inspect(gateway.settings.container_name)
    assert info["Config"]["Labels"]["io.ibkr-mcp.managed"] == "true"
    bindings = info["HostConfig"]["PortBindings"]
    assert bindings and all(b["HostIp"] == "127.0.0.1" for bs in bindings.values() for b in bs)
    host, port = gateway.api_endpoint()
    assert (host, port) == ("127.0.0.1", gateway.settings.api_host_port)
    assert await api_accepts(host, port)

    status = await gateway.status()
    assert (status.status, status.phase, status.kind) == ("running", "ready", "docker")
    assert status.container_id == info["Id"][:12]
    assert status.started_at is not None
    assert (status.image, status.flavor, status.mode) == (
        "ibkr-mcp/fake-gateway:test",
        "gnzsnz",
        "paper",
    )
    assert status.ports == {"api": port}
    assert status.restart_count == 0


async def test_phases_are_visible_while_starting(make_gateway):
    gateway = make_gateway(env={"FAKE_LOGIN_DELAY": "3"})
    starting = asyncio.create_task(gateway.start())
    seen: set[str] = set()
    async with asyncio.timeout(20):
        while not starting.done():
            seen.add((await gateway.status()).phase)
            await asyncio.sleep(0.1)
    await starting
    assert "waiting_for_login" in seen
    assert (await gateway.status()).phase == "ready"


async def test_second_start_adopts_the_running_container_without_restarting_it(
    make_gateway, inspect, docker: aiodocker.Docker
):
    first = make_gateway()
    await first.start()
    before = await inspect(first.settings.container_name)

    second = make_gateway(env={"TWOFA_TIMEOUT_ACTION": "restart"})
    with capture_logs() as logs:
        await second.start()
    after = await inspect(second.settings.container_name)
    [differ] = [e for e in logs if e["event"] == "gateway.container.settings_differ"]
    assert differ["keys"] == ["TWOFA_TIMEOUT_ACTION"] and "restart" not in str(differ)
    assert "TWOFA_TIMEOUT_ACTION=restart" not in after["Config"]["Env"]  # adopted as it was

    assert after["Id"] == before["Id"]
    assert after["State"]["StartedAt"] == before["State"]["StartedAt"]
    assert after["RestartCount"] == before["RestartCount"]
    ours = await docker.containers.list(all=True, filters='{"label": ["io.ibkr-mcp.managed=true"]}')
    assert [c.id for c in ours].count(before["Id"]) == 1
    assert sum(1 for c in ours if c["Names"] == [f"/{first.settings.container_name}"]) == 1
    assert (await second.status()).phase == "ready"


async def test_a_stopped_container_is_started_not_recreated(make_gateway, inspect):
    gateway = make_gateway()
    await gateway.start()
    created = await inspect(gateway.settings.container_name)

    await gateway.stop()
    stopped = await gateway.status()
    assert (stopped.status, stopped.phase) == ("exited", "stopped")

    await gateway.start()
    again = await inspect(gateway.settings.container_name)
    assert again["Id"] == created["Id"]
    assert again["State"]["Running"]
    assert (await gateway.status()).phase == "ready"


async def test_restart_counts_and_waits_until_ready(make_gateway, inspect):
    gateway = make_gateway()
    await gateway.start()
    before = await inspect(gateway.settings.container_name)

    await gateway.restart()

    after = await inspect(gateway.settings.container_name)
    assert after["Id"] == before["Id"]
    assert after["State"]["StartedAt"] != before["State"]["StartedAt"]
    status = await gateway.status()
    assert (status.status, status.phase, status.restart_count) == ("running", "ready", 1)
    assert await api_accepts(*gateway.api_endpoint())


async def test_logs_returns_the_last_lines_of_stdout_and_stderr(make_gateway):
    gateway = make_gateway()
    await gateway.start()

    everything = await gateway.logs(100)
    assert any("IBC: Login has completed" in line for line in everything)
    assert any("IBC: Waiting for login" in line for line in everything)  # from stderr
    assert await gateway.logs(3) == everything[-3:]
    assert len(await gateway.logs(3)) == 3


@pytest.mark.parametrize("stop_on_exit", [False, True])
async def test_shutdown_stops_the_container_only_when_asked(make_gateway, inspect, stop_on_exit):
    gateway = make_gateway(stop_on_exit=stop_on_exit)
    await gateway.start()

    await gateway.shutdown()

    info = await inspect(gateway.settings.container_name)
    assert info["State"]["Running"] is (not stop_on_exit)


async def test_a_password_file_keeps_the_password_out_of_env_logs_and_status(make_gateway, inspect):
    gateway = make_gateway(env={"FAKE_ECHO_SECRET": "1"})
    assert SECRET not in repr(gateway.settings)
    await gateway.start()

    info = await inspect(gateway.settings.container_name)
    env = info["Config"]["Env"]
    assert "TWS_PASSWORD_FILE=/run/secrets/ibkr_gateway_password" in env
    assert not any(SECRET in item for item in env)
    assert not any(item.startswith("TWS_PASSWORD=") for item in env)

    lines = await gateway.logs(100)
    assert any("password **********" in line for line in lines)  # echoed by the fake, scrubbed
    assert not any(SECRET in line for line in lines)
    assert SECRET not in msgspec.json.encode(await gateway.status()).decode()


async def test_a_password_in_env_is_scrubbed_from_logs_and_errors(make_gateway):
    gateway = make_gateway(
        password_file=None,
        password=SECRET,
        env={"FAKE_ECHO_SECRET": "1", "FAKE_EXIT_CODE": "3", "FAKE_LOGIN_DELAY": "0"},
    )
    assert SECRET not in repr(gateway.settings)
    with pytest.raises(GatewayError) as caught:
        await gateway.start()

    # Docker may have restarted it already (exit code then reset): the log lines say why.
    assert "keeps exiting" in caught.value.message or "exit code 3" in caught.value.message
    assert "Login failed; exiting with code 3" in caught.value.message
    assert "**********" in caught.value.message  # the echoed password, scrubbed
    assert SECRET not in str(caught.value)
    assert SECRET not in repr(caught.value.details)
    assert not any(SECRET in line for line in await gateway.logs(50))
    status = await gateway.status()
    assert status.phase == "failed"
    assert SECRET not in msgspec.json.encode(status).decode()


async def test_start_times_out_when_the_api_port_never_opens(make_gateway, inspect):
    gateway = make_gateway(env={"FAKE_NO_API": "1", "FAKE_LOGIN_DELAY": "0"}, start_timeout=3.0)

    with pytest.raises(GatewayError, match="did not open its API port") as caught:
        await gateway.start()

    assert "2FA" in caught.value.message
    status = await gateway.status()
    assert (status.status, status.phase) == ("running", "failed")
    assert status.message == caught.value.message
    assert (await inspect(gateway.settings.container_name))["State"]["Running"]  # left running


async def test_a_container_we_did_not_create_is_left_alone(
    make_gateway, docker: aiodocker.Docker, container_name: str
):
    foreign = await docker.containers.create(
        {"Image": "ibkr-mcp/fake-gateway:test"}, name=container_name
    )
    gateway = make_gateway()

    with pytest.raises(GatewayError, match="not created by ibkr-mcp"):
        await gateway.start()
    await gateway.stop()  # a no-op on someone else's container

    info = await foreign.show()
    assert info["State"]["Status"] == "created"


async def test_extrange_flavor_passes_its_own_variables(make_gateway, inspect, tmp_path: Path):
    gateway = make_gateway(flavor="extrange", env={"FAKE_API_PORT": "8888"}, trading_mode="paper")
    await gateway.start()

    info = await inspect(gateway.settings.container_name)
    env = info["Config"]["Env"]
    # extrange has no password-file variant: the password travels in its env (documented).
    assert "USERNAME=test-user" in env and f"PASSWORD={SECRET}" in env
    assert {"IBC_TradingMode=paper", "GATEWAY_OR_TWS=gateway", "IBC_ReadOnlyApi=no"} <= set(env)
    assert "8888/tcp" in info["HostConfig"]["PortBindings"]
    assert info["HostConfig"]["Ulimits"] == [{"Name": "nofile", "Soft": 10000, "Hard": 10000}]
    assert (await gateway.status()).phase == "ready"


async def test_a_missing_image_that_cannot_be_pulled_is_a_clear_error(make_gateway):
    gateway = make_gateway(image="ibkr-mcp/no-such-image:absent", pull_timeout=20.0)

    with pytest.raises(GatewayError, match="could not be pulled"):
        await gateway.start()
    assert (await gateway.status()).status == "missing"

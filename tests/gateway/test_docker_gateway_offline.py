"""DockerGateway pieces that need no Docker engine: settings, the container spec, errors."""

from __future__ import annotations

import socket
from pathlib import Path

import msgspec
import pytest

from adapters.docker import container_spec as spec
from adapters.docker.gateway import DockerGateway
from adapters.docker.gateway_messages import exited_early
from adapters.docker.profiles import SECRET_PATH, DockerGatewaySettings
from application.redaction import Redactor
from domain.errors import GatewayError

SECRET = "Sup3r-Secret-Pw-42"


def test_settings_never_show_the_password():
    settings = DockerGatewaySettings(username="u", password=SECRET, env={"X": SECRET})
    assert SECRET not in repr(settings) and SECRET not in str(settings)


def test_settings_reject_what_cannot_work():
    with pytest.raises(ValueError, match="flavor"):
        DockerGatewaySettings(flavor="other")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="api_host_port"):
        DockerGatewaySettings(api_host_port=70000)


def test_docker_host_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///tmp/elsewhere.sock")
    assert DockerGatewaySettings().docker_host == "unix:///tmp/elsewhere.sock"
    monkeypatch.delenv("DOCKER_HOST")
    assert DockerGatewaySettings().docker_host == "unix:///var/run/docker.sock"


@pytest.mark.parametrize(("mode", "inner"), [("paper", 4004), ("live", 4003)])
def test_gnzsnz_spec_mounts_the_password_file(tmp_path: Path, mode: str, inner: int):
    secret = tmp_path / "pw"
    secret.write_text(SECRET)
    settings = DockerGatewaySettings(
        username="u",
        password_file=secret,
        trading_mode=mode,
        vnc_host_port=5901,  # type: ignore[arg-type]
    )

    config = spec.container_config(settings, password=None)

    assert config["Image"] == "ghcr.io/gnzsnz/ib-gateway:stable"
    assert f"TWS_PASSWORD_FILE={SECRET_PATH}" in config["Env"]
    assert f"TRADING_MODE={mode}" in config["Env"] and "READ_ONLY_API=no" in config["Env"]
    assert SECRET not in msgspec.json.encode(config).decode()
    assert config["HostConfig"]["Binds"] == [f"{secret.resolve()}:{SECRET_PATH}:ro"]
    assert config["HostConfig"]["PortBindings"] == {
        f"{inner}/tcp": [{"HostIp": "127.0.0.1", "HostPort": "4002"}],
        "5900/tcp": [{"HostIp": "127.0.0.1", "HostPort": "5901"}],
    }
    assert config["Labels"][spec.LABEL_MANAGED] == "true"
    assert config["Labels"][spec.LABEL_API_PORT] == str(inner)


def test_extrange_spec_publishes_novnc_and_its_api_port():
    settings = DockerGatewaySettings(flavor="extrange", username="u", trading_mode="live")

    config = spec.container_config(settings, password="pw")

    assert config["Image"] == "ghcr.io/extrange/ibkr:stable"
    assert {"USERNAME=u", "PASSWORD=pw", "IBC_TradingMode=live", "GATEWAY_OR_TWS=gateway"} <= set(
        config["Env"]
    )
    assert set(config["HostConfig"]["PortBindings"]) == {"8888/tcp", "6080/tcp"}


def test_started_at_parses_docker_nanoseconds():
    info = {"State": {"StartedAt": "2026-11-25T20:25:14.427950488Z"}}
    stamp = spec.started_at(info)
    assert stamp is not None and stamp.isoformat() == "2026-11-25T20:25:14.427950+00:00"
    assert spec.started_at({"State": {"StartedAt": "0001-01-01T00:00:00Z"}}) is None


def test_the_redactor_replaces_the_longest_secret_first():
    scrub = Redactor(["abc", "abcdef", None, ""])
    assert scrub("x abcdef y abc") == "x ********** y **********"
    assert "abc" not in repr(scrub)


def _dead_socket(tmp_path: Path) -> str:
    path = tmp_path / "docker.sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))  # a socket file nobody listens on
    return f"unix://{path}"


async def test_an_unreachable_docker_engine_names_docker_host(tmp_path: Path):
    host = _dead_socket(tmp_path)
    gateway = DockerGateway(
        DockerGatewaySettings(username="u", password=SECRET, docker_host=host, docker_timeout=5)
    )
    try:
        with pytest.raises(GatewayError) as caught:
            await gateway.start()
        assert "DOCKER_HOST" in caught.value.message and host in caught.value.message
        assert SECRET not in str(caught.value)

        status = await gateway.status()
        assert (status.status, status.kind) == ("unreachable", "docker")
        assert "DOCKER_HOST" in (status.message or "")
        with pytest.raises(GatewayError, match="DOCKER_HOST"):
            await gateway.logs(10)
    finally:
        await gateway.shutdown()


async def test_a_missing_socket_names_docker_host_too(tmp_path: Path):
    host = f"unix://{tmp_path}/nothing-here.sock"
    gateway = DockerGateway(DockerGatewaySettings(docker_host=host, docker_timeout=5))
    try:
        with pytest.raises(GatewayError, match="DOCKER_HOST"):
            await gateway.start()
    finally:
        await gateway.close()


@pytest.mark.parametrize(
    ("state", "restarts", "says"),
    [
        ({"Status": "exited", "ExitCode": 3}, 0, "stopped (state exited, exit code 3)"),
        ({"Restarting": True, "ExitCode": 3}, 2, "keeps exiting (last exit code 3;"),
        # restarted and running again: Docker reset ExitCode to 0, which must not be shown
        ({"Running": True, "ExitCode": 0}, 4, "keeps exiting (Docker restarted it 4 times)"),
    ],
)
def test_an_early_exit_is_described_from_what_docker_still_knows(
    state: dict[str, object], restarts: int, says: str
):
    info = {"State": state, "RestartCount": restarts}
    text = exited_early(DockerGatewaySettings(), info, ["IBC: Login failed; exiting with code 3"])
    assert says in text and "exit code 0" not in text
    assert text.endswith("Its last log lines: IBC: Login failed; exiting with code 3")

"""The service's image and the compose ``simulator`` profile, on a real Docker engine.

No image registry is reachable where CI runs, so the base comes from Debian's packages
(``deploy/docker/make-base-image.sh``, kept once made), the service image is built from
``deploy/docker/Dockerfile`` on it, and ``deploy/docker/compose.yaml`` runs it with its token as
a secret file. The test waits (bounded) for Docker's health check to say ``healthy``, asks
``GET /health`` with the token, and checks the process runs as a non-root user, logs JSON only
and publishes on loopback only; then compose takes everything down again, volume included.

The built images stay tagged (``ibkr-mcp:ci``, and ``ibkr-mcp:ci-build`` for the build stage)
so that the next run builds only what changed; the images they replace are removed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.docker.conftest import free_port

pytestmark = pytest.mark.docker

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy" / "docker"
MAKE_BASE = DEPLOY / "make-base-image.sh"
# Named after the script that makes it: a changed recipe makes a new base, once.
BASE_REPOSITORY = "ibkr-mcp/python-base"
BASE_IMAGE = f"{BASE_REPOSITORY}:bookworm-{hashlib.sha256(MAKE_BASE.read_bytes()).hexdigest()[:12]}"
IMAGE = "ibkr-mcp:ci"
BUILD_STAGE = "ibkr-mcp:ci-build"
SERVICE = "ibkr-mcp-simulated"
SERVICE_UID = 10001
TOKEN = "image-test-" + uuid.uuid4().hex
# Bounds for each step on a slow, shared machine (Docker's vfs storage copies every layer).
BASE_LIMIT = 900.0
BUILD_LIMIT = 1800.0
COMPOSE_LIMIT = 300.0
HEALTHY_LIMIT = 180.0
# The image is the base plus the service's virtualenv (~250 MB); much more means something
# that does not belong there (build tools, caches, the tests) got in.
MAX_ADDED_BYTES = 350_000_000


def run(
    args: list[str], *, env: dict[str, str], limit: float, check: bool = True
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        args,
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=limit,
        check=False,
    )
    if check and done.returncode != 0:
        pytest.fail(
            f"{' '.join(args)} exited {done.returncode}:\n{done.stdout[-3000:]}\n"
            f"{done.stderr[-3000:]}",
            pytrace=False,
        )
    return done


def compose_command(env: dict[str, str]) -> list[str]:
    """Compose v2 (the docker CLI plugin) when there is one, else v1.29 (``docker-compose``)."""
    if run(["docker", "compose", "version"], env=env, limit=30, check=False).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    message = (
        "neither `docker compose` nor `docker-compose` is installed "
        "(.ci/run installs Debian's docker-compose)"
    )
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def image_id(name: str, env: dict[str, str]) -> str | None:
    done = run(
        ["docker", "image", "inspect", "-f", "{{.Id}}", name], env=env, limit=30, check=False
    )
    return done.stdout.strip() if done.returncode == 0 else None


def image_size(name: str, env: dict[str, str]) -> int:
    done = run(["docker", "image", "inspect", "-f", "{{.Size}}", name], env=env, limit=30)
    return int(done.stdout.strip())


@pytest.fixture(scope="module")
def docker_env(docker_host: str) -> dict[str, str]:
    return {**os.environ, "DOCKER_HOST": docker_host}


@pytest.fixture(scope="module")
def image(docker_env: dict[str, str]) -> str:
    """The service image, built from the Dockerfile on the Debian-made base."""
    run(["bash", str(MAKE_BASE), BASE_IMAGE], env=docker_env, limit=BASE_LIMIT)
    bases = run(
        ["docker", "image", "ls", "--format", "{{.Repository}}:{{.Tag}}", BASE_REPOSITORY],
        env=docker_env,
        limit=30,
    ).stdout.split()
    for old_base in set(bases) - {BASE_IMAGE}:  # made by an older recipe
        run(["docker", "image", "rm", old_base], env=docker_env, limit=120, check=False)
    before = {tag: image_id(tag, docker_env) for tag in (BUILD_STAGE, IMAGE)}
    build = ["docker", "build", "-f", str(DEPLOY / "Dockerfile"),
             "--build-arg", f"PYTHON_IMAGE={BASE_IMAGE}"]  # fmt: skip
    started = time.monotonic()
    # The build stage gets a tag of its own, so that the one it replaces can be removed.
    run([*build, "--target", "build", "-t", BUILD_STAGE, "."], env=docker_env, limit=BUILD_LIMIT)
    left = BUILD_LIMIT - (time.monotonic() - started)
    run([*build, "-t", IMAGE, "."], env=docker_env, limit=max(left, 60.0))
    for tag, old in before.items():
        if old is not None and old != image_id(tag, docker_env):
            # Superseded: its layers would only fill the disk. (Still used by a container of
            # someone else's? Then it stays.)
            run(["docker", "image", "rm", old], env=docker_env, limit=120, check=False)
    return IMAGE


@pytest.fixture
def secrets_dir(tmp_path: Path) -> Path:
    """The compose secrets folder, as deploy/docker/README.md makes it."""
    folder = tmp_path / "secrets"
    folder.mkdir()
    tokens = folder / "ibkr-mcp-tokens.txt"
    tokens.write_text(f"ci:{TOKEN}\n", encoding="utf-8")
    # Bind-mounted as it is: readable by the container's user only (as root, like CI; a
    # developer's own engine may run the test as another user, who cannot give files away).
    if os.geteuid() == 0:
        os.chown(tokens, SERVICE_UID, -1)
        tokens.chmod(0o600)
    else:
        tokens.chmod(0o644)
    return folder


@pytest.fixture
def project(
    image: str, docker_env: dict[str, str], secrets_dir: Path
) -> Iterator[tuple[list[str], dict[str, str], int]]:
    """The compose command line for a project of its own, and its environment and port; the
    project (containers, network, volume) is taken down afterwards."""
    port = free_port()
    name = f"ibkr-mcp-test-{uuid.uuid4().hex[:8]}"
    env = {
        **docker_env,
        "IBKR_MCP_IMAGE": image,
        "IBKR_MCP_PORT": str(port),
        "IBKR_MCP_SECRETS": str(secrets_dir),
    }
    compose = [*compose_command(env), "-f", str(DEPLOY / "compose.yaml"), "-p", name,
               "--profile", "simulator"]  # fmt: skip
    try:
        yield compose, env, port
    finally:
        run([*compose, "down", "-v", "--remove-orphans", "-t", "5"], env=env, limit=COMPOSE_LIMIT)
        volumes = run(
            ["docker", "volume", "ls", "-q", "--filter", f"name={name}"], env=env, limit=30
        )
        assert volumes.stdout.strip() == "", "compose down -v left the volume behind"


def get(url: str, token: str | None = None) -> int:
    request = urllib.request.Request(url)
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def inspect(container: str, env: dict[str, str]) -> dict[str, Any]:
    done = run(["docker", "inspect", container], env=env, limit=30)
    return json.loads(done.stdout)[0]  # type: ignore[no-any-return]


def test_the_simulator_profile_comes_up_healthy_as_a_non_root_user(
    image: str, docker_env: dict[str, str], project: tuple[list[str], dict[str, str], int]
) -> None:
    added = image_size(image, docker_env) - image_size(BASE_IMAGE, docker_env)
    assert added < MAX_ADDED_BYTES, f"the image adds {added} bytes to its base"

    compose, env, port = project
    run([*compose, "up", "-d", "--no-build"], env=env, limit=COMPOSE_LIMIT)
    container = run([*compose, "ps", "-q", SERVICE], env=env, limit=60).stdout.strip()
    assert container, "compose started no container for the simulator profile"

    deadline = time.monotonic() + HEALTHY_LIMIT
    while True:
        state = inspect(container, env)["State"]
        health = state.get("Health") or {}
        if health.get("Status") == "healthy":
            break
        if state.get("Status") != "running" or time.monotonic() > deadline:
            logs = run(["docker", "logs", "--tail", "40", container], env=env, limit=30)
            pytest.fail(
                f"not healthy within {HEALTHY_LIMIT:g} s: {state.get('Status')}, "
                f"{health.get('Status')}, {health.get('Log', [])[-1:]}\n{logs.stderr}",
                pytrace=False,
            )
        time.sleep(2)

    base = f"http://127.0.0.1:{port}"
    # Readiness (the broker connected to the embedded simulator) needs the token from the
    # secret file; liveness, which the health check asks, does not.
    deadline = time.monotonic() + HEALTHY_LIMIT
    while (status := get(f"{base}/health", TOKEN)) != 200:
        assert time.monotonic() < deadline, f"GET /health answered {status}"
        time.sleep(1)
    assert get(f"{base}/health") == 401
    assert get(f"{base}/health", "not-the-token") == 401
    assert get(f"{base}/health/live") == 200

    # The service's process (pid 1 in the container) runs as the image's user, not root.
    status_file = run(
        ["docker", "exec", container, "python3", "-c", "print(open('/proc/1/status').read())"],
        env=env,
        limit=60,
    ).stdout
    uids = next(line.split()[1:] for line in status_file.splitlines() if line.startswith("Uid:"))
    assert uids == [str(SERVICE_UID)] * 4, uids

    details = inspect(container, env)
    bindings = details["HostConfig"]["PortBindings"]
    assert [b["HostIp"] for b in bindings["8000/tcp"]] == ["127.0.0.1"]

    # JSON logs only, and the token never in them.
    logs = run(["docker", "logs", container], env=env, limit=60)
    assert logs.stdout == ""
    lines = [line for line in logs.stderr.splitlines() if line.strip()]
    assert lines
    for line in lines:
        assert isinstance(json.loads(line), dict), line
    assert TOKEN not in logs.stderr
    assert any(json.loads(line)["event"] == "http.request" for line in lines)

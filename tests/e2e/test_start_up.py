"""Start-up does only what the chosen gateway needs, and readiness follows the connect at once.

Imports are checked in a fresh interpreter (``sys.modules`` after ``build_app``): the
simulated mode never loads the Docker client, the Docker mode never loads the simulator.
Readiness: with the monitor's retry pushed to an hour, ``/health`` can only turn 200 because
the monitor probes the moment the broker connects (its first probe, at start, finds the
broker still connecting).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import httpx

from entrypoints.bootstrap import build_app
from entrypoints.settings import settings_from_env
from tests.servers import serving

ROOT = Path(__file__).parents[2]
LIMIT = 20.0

PROBE = """
import json, sys
from entrypoints.bootstrap import build_app
from entrypoints.settings import settings_from_env
env = {{"IBKR_MCP_JOURNAL_DSN": {journal!r}, "IBKR_MCP_AUDIT_FILE": {audit!r}, **{extra}}}
build_app(settings_from_env(env))
loaded = [m for m in sys.modules if m.split(".")[0] in ("aiodocker", "adapters")]
print(json.dumps(sorted(loaded)))
"""


def modules_after_build(tmp_path: Path, **extra: str) -> set[str]:
    code = PROBE.format(
        audit=str(tmp_path / "audit.jsonl"),
        journal=f"sqlite:///{tmp_path / 'journal.sqlite3'}",
        extra=extra,
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_the_simulated_mode_does_not_load_the_docker_client(tmp_path: Path) -> None:
    loaded = modules_after_build(tmp_path)
    assert "adapters.simulated_gateway.control.runtime" in loaded
    assert not {m for m in loaded if m.startswith(("aiodocker", "adapters.docker"))}


def test_the_docker_mode_does_not_load_the_simulator(tmp_path: Path) -> None:
    password = tmp_path / "password"
    password.write_text("not-a-real-password")
    loaded = modules_after_build(
        tmp_path,
        IBKR_MCP_GATEWAY="docker",
        IBKR_MCP_IB_GATEWAY_USERNAME="someone",
        IBKR_MCP_IB_GATEWAY_PASSWORD_FILE=str(password),
    )
    assert "adapters.docker.gateway" in loaded
    assert not {m for m in loaded if m.startswith("adapters.simulated_gateway")}


async def test_the_monitor_probes_as_soon_as_the_broker_connects(tmp_path: Path) -> None:
    settings = settings_from_env({}, connect_timeout=5.0, audit_file=tmp_path / "audit.jsonl")
    app = build_app(settings)
    monitor = app.state["assembly"].monitor
    # No second chance from the retry timer: only the connect can bring readiness.
    monitor.policy = dataclasses.replace(monitor.policy, retry_interval=3600.0)
    async with (
        serving(app, limit=LIMIT) as url,
        httpx.AsyncClient(base_url=url, timeout=LIMIT) as http,
    ):
        async with asyncio.timeout(LIMIT):
            while True:
                health = await http.get("/health")
                if health.status_code == 200:
                    break
                await asyncio.sleep(0.05)
    assert health.json()["checks"]["market_data"]["ok"] is True
    assert monitor.state().data_fresh and monitor.state().consecutive_failures == 0

"""The standalone simulator process and its loopback-only fault-control interface.

The control interface is a deliberately tiny HTTP/1.1 server (stdlib asyncio, one request per
connection) so that scripts can inject faults with curl, e.g.
``curl -X POST 'http://127.0.0.1:4102/faults/refuse_connections?seconds=5'``.
It only ever binds to a loopback address: fault injection is not something to expose.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import signal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import structlog

from adapters.simulated_gateway.tws.server import TwsSimulator

log = structlog.get_logger(__name__)

_MAX_HEADER_LINES = 64
_MAX_BODY = 64 * 1024
# fault name -> the query parameter it takes (None: no argument)
_FAULTS: dict[str, tuple[str, type] | None] = {
    "drop_all_connections": None,
    "refuse_connections": ("seconds", float),
    "stop_market_data": None,
    "resume_market_data": None,
    "set_latency": ("seconds", float),
    "reject_next_order": ("reason", str),
    "sever_with_1100": None,
    "restore_1101": None,
    "restore_1102": None,
    "reset": None,
    # ?kinds=quotes,history&symbols=AAPL&code=354 (all optional): see subscription_faults
    "require_subscription": ("kinds", str),
    "clear_subscriptions": None,
}


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ControlServer:
    """HTTP control for ``simulator.faults``: ``POST /faults/<name>?arg=...``, ``GET /status``."""

    def __init__(self, simulator: TwsSimulator, *, host: str = "127.0.0.1", port: int = 0) -> None:
        if not is_loopback(host):
            raise ValueError(f"the control interface binds to loopback only, not {host!r}")
        self.simulator = simulator
        self.host = host
        self.port = port
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(5):
                status, body = await self._answer(reader)
        except (TimeoutError, ValueError, ConnectionError, asyncio.IncompleteReadError):
            status, body = 400, {"error": "bad request"}
        payload = json.dumps(body).encode()
        head = (
            f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
            "Connection: close\r\n\r\n"
        )
        with contextlib.suppress(ConnectionError):
            writer.write(head.encode() + payload)
            await writer.drain()
        writer.close()

    async def _answer(self, reader: asyncio.StreamReader) -> tuple[int, dict[str, Any]]:
        method, target, _ = (await reader.readline()).decode("latin-1").split(" ", 2)
        length = 0
        for _ in range(_MAX_HEADER_LINES):
            line = (await reader.readline()).decode("latin-1").strip()
            if not line:
                break
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = min(int(value.strip()), _MAX_BODY)
        url = urlsplit(target)
        params = {k: v[-1] for k, v in parse_qs(url.query).items()}
        if length:
            body = (await reader.readexactly(length)).decode()
            params.update({k: v[-1] for k, v in parse_qs(body).items()})
        if url.path == "/status" and method == "GET":
            return 200, self.status()
        name = url.path.removeprefix("/faults/")
        if method != "POST" or not url.path.startswith("/faults/") or name not in _FAULTS:
            return 404, {"error": "unknown path", "faults": sorted(_FAULTS)}
        argument = _FAULTS[name]
        fault = getattr(self.simulator.faults, name)
        if name == "require_subscription":
            try:
                code = int(params["code"]) if params.get("code") else None
                fault(params.get("kinds", "all"), params.get("symbols"), code)
            except ValueError as exc:
                return 400, {"error": str(exc)}
        elif argument is None:
            fault()
        elif argument[0] in params:
            fault(argument[1](params[argument[0]]))
        elif name == "reject_next_order":
            fault()
        else:
            return 400, {"error": f"{name} needs ?{argument[0]}="}
        return 200, {"ok": True, "fault": name, **self.status()}

    def status(self) -> dict[str, Any]:
        faults = self.simulator.faults
        return {
            "simulator": True,
            "port": self.simulator.port,
            "clients": self.simulator.client_count,
            "latency": faults.latency,
            "market_data_flowing": faults.market_data_flowing,
            "subscriptions_required": {
                kind: {"code": rule.code, "symbols": sorted(rule.symbols or ())}
                for kind, rule in faults.subscriptions.items()
            },
            # requests received by TWS message id (1 reqMktData, 10 reqMktDepth, ...)
            "requests": dict(self.simulator.requests),
            "pacing_violations": self.simulator.pacing_violations,
        }


async def run_standalone(
    host: str = "127.0.0.1",
    port: int = 4002,
    seed: int = 7,
    account: str = "DU1234567",
    control_port: int | None = None,
) -> None:
    """Run a simulated IB Gateway until cancelled or interrupted (SIGINT/SIGTERM)."""
    simulator = TwsSimulator(host=host, port=port, seed=seed, account=account)
    await simulator.start()
    control: ControlServer | None = None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    handled: list[signal.Signals] = []
    try:
        if control_port is not None:
            control = ControlServer(simulator, port=control_port)
            await control.start()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
                handled.append(sig)
        log.warning(
            "simulator.running",
            note="SIMULATED IB Gateway: paper account, synthetic market, no real orders",
            host=host,
            port=simulator.port,
            account=account,
            seed=seed,
            control_port=control.port if control else None,
        )
        await stop.wait()
    finally:
        for sig in handled:
            loop.remove_signal_handler(sig)
        if control is not None:
            await control.stop()
        await simulator.stop()

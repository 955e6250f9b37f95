"""``SimulatedGateway``: the embedded TWS API simulator behind the ``GatewayRuntime`` port.

A restart stops the simulator and starts it again on the same port, so clients reconnect where
they were; the simulated account (positions, orders) survives it, as a real account survives a
gateway restart. Logs are the simulator's recent log lines, kept in memory.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from datetime import UTC, datetime

from adapters.simulated_gateway.tws.server import DEFAULT_MARKET_DATA_LINES, TwsSimulator
from domain.errors import GatewayError
from domain.gateway import GatewayStatus

_SIM_LOGGER = "adapters.simulated_gateway"
_REBIND_ATTEMPTS = 20  # the port can linger for a moment after a stop


class _LineBuffer(logging.Handler):
    """Keeps the last lines logged under ``adapters.simulated_gateway`` (stdlib or structlog)."""

    def __init__(self, lines: deque[str]) -> None:
        super().__init__(logging.INFO)
        self.lines = lines

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(_render(record))
        except Exception:  # a log line must never break the simulator
            self.handleError(record)


def _render(record: logging.LogRecord) -> str:
    stamp = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
    if isinstance(record.msg, dict):  # a structlog event routed through the stdlib
        event = dict(record.msg)
        text = str(event.pop("event", ""))
        extras = " ".join(f"{k}={v}" for k, v in event.items() if not k.startswith("_"))
        text = f"{text} {extras}".strip()
    else:
        text = record.getMessage()
    return f"{stamp} {record.levelname.lower()} {text}"


class SimulatedGateway:
    """The ``GatewayRuntime`` port on ``TwsSimulator``, listening on loopback."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = 7,
        account: str = "DU1234567",
        tick_interval: float = 0.25,
        max_market_data_lines: int = DEFAULT_MARKET_DATA_LINES,
        simulator: TwsSimulator | None = None,
        max_log_lines: int = 2000,
    ) -> None:
        self.simulator = simulator or TwsSimulator(
            host=host,
            port=port,
            seed=seed,
            account=account,
            tick_interval=tick_interval,
            max_market_data_lines=max_market_data_lines,
        )
        self._lines: deque[str] = deque(maxlen=max_log_lines)
        self._capture = _LineBuffer(self._lines)
        self._lock = asyncio.Lock()
        self._running = False
        self._started_at: datetime | None = None
        self._restart_count = 0

    @property
    def restart_count(self) -> int:
        return self._restart_count

    async def start(self) -> None:
        async with self._lock:
            await self._start()

    async def stop(self) -> None:
        async with self._lock:
            await self._stop()

    async def restart(self) -> None:
        """Stop and start again on the same port; clients reconnect there.

        A fresh gateway process has none of the injected faults (silenced market data, a
        severed link, latency): they are cleared, as a real restart clears a broken data farm.
        """
        async with self._lock:
            await self._stop()
            self.simulator.faults.reset()
            await self._start()
            self._restart_count += 1
            self._note(f"restarted (restart #{self._restart_count})")

    async def status(self) -> GatewayStatus:
        host, port = self.api_endpoint()
        return GatewayStatus(
            status="running" if self._running else "stopped",
            kind="simulated",
            phase="ready" if self._running else "stopped",
            started_at=self._started_at if self._running else None,
            mode="paper",
            api_host=host,
            api_port=port,
            ports={"api": port} if port else {},
            restart_count=self._restart_count,
            message="Embedded simulated gateway: made-up prices, no real account",
        )

    async def logs(self, tail: int) -> list[str]:
        """The simulator's most recent log lines (lifecycle events and what it logged)."""
        return list(self._lines)[-max(1, tail) :]

    def api_endpoint(self) -> tuple[str, int]:
        return self.simulator.host, self.simulator.port

    # --- internals -------------------------------------------------------------------------

    async def _start(self) -> None:
        if self._running:
            return
        logging.getLogger(_SIM_LOGGER).addHandler(self._capture)
        for attempt in range(_REBIND_ATTEMPTS):
            try:
                async with asyncio.timeout(10):
                    await self.simulator.start()
                break
            except OSError as exc:
                await self.simulator.stop()
                if attempt == _REBIND_ATTEMPTS - 1:
                    logging.getLogger(_SIM_LOGGER).removeHandler(self._capture)
                    raise GatewayError(
                        f"The simulated gateway cannot listen on "
                        f"{self.simulator.host}:{self.simulator.port}: {exc.strerror or exc}"
                    ) from None
                await asyncio.sleep(0.25)
        self._running = True
        self._started_at = datetime.now(UTC)
        host, port = self.api_endpoint()
        self._note(f"listening on {host}:{port} (account {self.simulator.world.account})")

    async def _stop(self) -> None:
        if not self._running:
            return
        async with asyncio.timeout(10):
            await self.simulator.stop()
        self._running = False
        self._note("stopped")
        logging.getLogger(_SIM_LOGGER).removeHandler(self._capture)

    def _note(self, text: str) -> None:
        stamp = datetime.now(UTC).isoformat(timespec="milliseconds")
        self._lines.append(f"{stamp} info simulated gateway {text}")

"""``ExternalGateway``: an IB Gateway or TWS that this service does not manage.

There is no life cycle to drive: ``start()`` only reports whether the API port answers (a gateway
that is down now may come up later, and the broker reconnects on its own), ``stop()`` leaves it
alone, and ``restart()`` and ``logs()`` are not supported.
"""

from __future__ import annotations

import structlog

from adapters.docker.api_probe import api_accepts
from domain.errors import NotSupported
from domain.gateway import GatewayStatus

log = structlog.get_logger(__name__)


class ExternalGateway:
    """The ``GatewayRuntime`` port for a gateway at ``host:port`` run by someone else."""

    def __init__(self, host: str, port: int, *, probe_timeout: float = 2.0) -> None:
        self.host = host
        self.port = port
        self._probe_timeout = probe_timeout

    async def start(self) -> None:
        """Check the API port once and say what was found; never fails the service start."""
        if await self._reachable():
            log.info("gateway.external.reachable", host=self.host, port=self.port)
        else:
            log.warning(
                "gateway.external.unreachable",
                host=self.host,
                port=self.port,
                message="Nothing accepts on the gateway API port yet; the broker keeps retrying. "
                "Check that IB Gateway/TWS runs, is logged in and has the API enabled.",
            )

    async def stop(self) -> None:
        """Nothing to stop: the gateway belongs to whoever runs it."""

    async def restart(self) -> None:
        raise NotSupported(
            f"restart is not available for an external gateway ({self.host}:{self.port}): this "
            "service does not manage it. Restart IB Gateway/TWS where it runs; the service "
            "reconnects by itself."
        )

    async def status(self) -> GatewayStatus:
        up = await self._reachable()
        return GatewayStatus(
            status="running" if up else "unreachable",
            kind="external",
            phase="ready" if up else "unknown",
            api_host=self.host,
            api_port=self.port,
            message=None
            if up
            else f"Nothing accepts TWS API connections at {self.host}:{self.port}",
        )

    async def logs(self, tail: int) -> list[str]:
        raise NotSupported(
            "logs are not available for an external gateway: this service does not run it. "
            "Read them where IB Gateway/TWS runs (its IBC and gateway log files, or "
            "`docker logs` of its container)."
        )

    def api_endpoint(self) -> tuple[str, int]:
        return self.host, self.port

    async def _reachable(self) -> bool:
        return await api_accepts(self.host, self.port, connect_timeout=self._probe_timeout)

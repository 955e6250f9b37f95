"""``DockerGateway``: the IB Gateway in a Docker container that this service runs and watches.

Restarting a logged-in gateway can cost the user a second-factor (2FA) prompt, so ``start()``
adopts a running container of ours exactly as it is, starts a stopped one, and creates one only
when none exists. ``stop()`` always stops the container; ``shutdown()`` (what the service calls
on exit) stops it only when ``stop_on_exit`` is set, and closes the Docker client either way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import structlog

from adapters.docker import container_spec as spec
from adapters.docker.api_probe import api_accepts
from adapters.docker.engine import DockerEngine
from adapters.docker.gateway_messages import (
    exited_early,
    foreign_container,
    login_timeout,
    unpublished_api_port,
)
from adapters.docker.profiles import DockerGatewaySettings
from adapters.docker.provisioning import ContainerProvisioner
from adapters.docker.redaction import read_secret_file
from adapters.docker.status_report import configured_facts, container_facts
from application.redaction import Redactor
from domain.errors import GatewayError
from domain.gateway import GatewayPhase, GatewayStatus

log = structlog.get_logger(__name__)
Probe = Callable[[str, int], Awaitable[bool]]


class DockerGateway:
    """The ``GatewayRuntime`` port on a Docker container (aiodocker; every call bounded)."""

    def __init__(
        self,
        settings: DockerGatewaySettings,
        *,
        probe: Probe = api_accepts,
        poll_interval: float = 0.5,
    ) -> None:
        self.settings = settings
        self._scrub = Redactor([settings.password, read_secret_file(settings.password_file)])
        self._engine = DockerEngine(
            settings.docker_host, timeout=settings.docker_timeout, scrub=self._scrub
        )
        self._provisioner = ContainerProvisioner(settings, self._engine, self._set_phase)
        self._probe = probe
        self._poll = poll_interval
        self._lock = asyncio.Lock()
        self._phase: GatewayPhase | None = None  # set while start/restart is under way
        self._failure: str | None = None
        self._restart_count = 0
        self._api_port = settings.api_host_port
        self._log = log.bind(container=settings.container_name)

    # --- the port --------------------------------------------------------------------------

    async def start(self) -> None:
        """Adopt, start or create the gateway container; return once its API port accepts."""
        async with self._lock:
            await self._guarded(self._start())

    async def restart(self) -> None:
        """Restart the container (creating it if missing) and wait until its API accepts."""
        async with self._lock:
            await self._guarded(self._restart())

    async def stop(self) -> None:
        """Stop our container now, whatever ``stop_on_exit`` says."""
        async with self._lock:
            info = await self._engine.inspect(self.settings.container_name)
            if info is None or not spec.is_ours(info):
                return
            if spec.is_running(info):
                await self._engine.stop(info["Id"], self.settings.stop_grace)
                self._log.info("gateway.container.stopped", container_id=info["Id"][:12])

    async def shutdown(self) -> None:
        """On service exit: stop the container only if ``stop_on_exit``; release the client."""
        try:
            if self.settings.stop_on_exit:
                await self.stop()
            else:
                self._log.info("gateway.container.left_running", reason="stop_on_exit is false")
        except GatewayError as exc:  # the service is exiting anyway: say so, do not crash
            self._log.warning("gateway.container.stop_failed", reason=exc.message)
        finally:
            await self._engine.close()

    async def close(self) -> None:
        """Release the Docker client without touching the container."""
        await self._engine.close()

    async def status(self) -> GatewayStatus:
        s = self.settings
        facts = configured_facts(s, self._api_port)
        facts["restart_count"] = self._restart_count
        try:
            info = await self._engine.inspect(s.container_name)
        except GatewayError as exc:
            return GatewayStatus(
                status="unreachable", phase="unknown", message=exc.message, **facts
            )
        idle: GatewayPhase = "failed" if self._failure else "stopped"
        if info is None:
            return GatewayStatus(
                status="missing", phase=self._phase or idle, message=self._failure, **facts
            )
        facts.update(container_facts(info, s))
        if not spec.is_running(info):
            state = spec.state_name(info)
            return GatewayStatus(
                status=state, phase=self._phase or idle, message=self._failure, **facts
            )
        phase = self._phase or await self._running_phase()
        return GatewayStatus(status="running", phase=phase, message=self._failure, **facts)

    async def logs(self, tail: int) -> list[str]:
        """The container's last ``tail`` lines (stdout and stderr), configured secrets removed."""
        info = await self._engine.inspect(self.settings.container_name)
        if info is None:
            raise GatewayError(
                f"There is no gateway container named {self.settings.container_name} to read "
                "logs from; start the gateway first"
            )
        return await self._engine.logs(info["Id"], max(1, tail))

    def api_endpoint(self) -> tuple[str, int]:
        return spec.LOOPBACK, self._api_port

    # --- life cycle ------------------------------------------------------------------------

    async def _guarded(self, work: Awaitable[None]) -> None:
        self._failure = None
        try:
            await work
        except GatewayError as exc:
            self._failure = exc.message
            self._log.warning("gateway.failed", reason=exc.message)
            raise
        finally:
            self._phase = None

    async def _start(self) -> None:
        info = await self._engine.inspect(self.settings.container_name)
        if info is None:
            info = await self._provisioner.create()
        self._adopt(info)
        if spec.is_running(info):
            self._log.info("gateway.container.adopted", container_id=info["Id"][:12])
        else:
            self._phase = "starting"
            await self._engine.start(info["Id"])
            self._log.info("gateway.container.started", container_id=info["Id"][:12])
        await self._wait_ready()

    async def _restart(self) -> None:
        info = await self._engine.inspect(self.settings.container_name)
        if info is None:
            self._restart_count += 1
            await self._start()
            return
        self._adopt(info)
        self._phase = "starting"
        await self._engine.restart(info["Id"], self.settings.stop_grace)
        self._restart_count += 1
        self._log.info(
            "gateway.container.restarted",
            container_id=info["Id"][:12],
            restart_count=self._restart_count,
        )
        await self._wait_ready()

    def _adopt(self, info: dict[str, Any]) -> None:
        """Check the container is ours and learn its API host port (which outlives settings)."""
        s = self.settings
        if not spec.is_ours(info):
            raise GatewayError(foreign_container(s.container_name), container=s.container_name)
        inner = spec.api_container_port(info, s)
        outer = spec.published_ports(info).get(inner)
        if outer is None:
            raise GatewayError(unpublished_api_port(s, inner))
        self._api_port = outer
        differs = {
            "api_host_port": (outer, s.api_host_port),
            "flavor": (spec.label(info, spec.LABEL_FLAVOR), s.flavor),
            "trading_mode": (spec.label(info, spec.LABEL_MODE), s.trading_mode),
        }
        for name, (actual, wanted) in differs.items():
            if actual != wanted:
                # Never recreate a running gateway to apply settings: say so and go on.
                self._log.warning(
                    "gateway.container.settings_differ", setting=name, actual=actual, wanted=wanted
                )
        # Extra variables (--gateway-env) apply at creation only; values are not logged.
        env = dict(item.partition("=")[::2] for item in info.get("Config", {}).get("Env") or [])
        stale = sorted(key for key, value in s.env.items() if env.get(key) != value)
        if stale:
            self._log.warning(
                "gateway.container.settings_differ",
                setting="env",
                keys=stale,
                message="the existing container was created with other values; remove it "
                "(docker rm -f) to apply them",
            )

    async def _wait_ready(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settings.start_timeout
        self._phase = "starting"
        baseline = await self._check_alive(None)
        self._phase = "waiting_for_login"
        next_check = loop.time() + 2.0
        while True:
            if await self._probe(spec.LOOPBACK, self._api_port):
                # Docker's port proxy can look open while the container is down: confirm.
                await self._check_alive(baseline)
                self._phase = "ready"
                self._log.info("gateway.ready", api_port=self._api_port)
                return
            if loop.time() >= deadline:
                raise GatewayError(login_timeout(self.settings, self._api_port))
            await asyncio.sleep(self._poll)
            if loop.time() >= next_check:
                await self._check_alive(baseline)
                next_check = loop.time() + 2.0

    async def _check_alive(self, baseline: int | None) -> int:
        """Raise if the container is gone, stopped or crash-looping; return its restart count."""
        info = await self._engine.inspect(self.settings.container_name)
        # The restart policy hides a crash as "running again": a rising count gives it away.
        if (
            info is None
            or not spec.is_running(info)
            or (baseline is not None and spec.restarts(info) > baseline)
        ):
            lines = await self._last_lines(info)
            raise GatewayError(exited_early(self.settings, info, lines))
        return spec.restarts(info)

    async def _running_phase(self) -> GatewayPhase:
        if await self._probe(spec.LOOPBACK, self._api_port):
            self._failure = None  # e.g. the user approved the 2FA prompt after our timeout
            return "ready"
        return "failed" if self._failure else "waiting_for_login"

    async def _last_lines(self, info: dict[str, Any] | None) -> list[str]:
        if info is None:
            return []
        try:
            return await self._engine.logs(info["Id"], 5)
        except GatewayError:
            return []

    def _set_phase(self, phase: GatewayPhase) -> None:
        self._phase = phase

    @property
    def restart_count(self) -> int:
        return self._restart_count

"""Create the gateway container when there is none: credentials, image (pulled if absent)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog

from adapters.docker.container_spec import container_config
from adapters.docker.engine import DockerEngine
from adapters.docker.profiles import DockerGatewaySettings
from domain.errors import GatewayError
from domain.gateway import GatewayPhase

log = structlog.get_logger(__name__)


class ContainerProvisioner:
    def __init__(
        self,
        settings: DockerGatewaySettings,
        engine: DockerEngine,
        set_phase: Callable[[GatewayPhase], None],
    ) -> None:
        self._settings = settings
        self._engine = engine
        self._set_phase = set_phase

    async def create(self) -> dict[str, Any]:
        """Create (not start) the container and return its ``docker inspect`` document."""
        s = self._settings
        password = self._password_for_container()
        await self._ensure_image(s.image_ref)
        self._set_phase("starting")
        container_id = await self._engine.create(s.container_name, container_config(s, password))
        log.info(
            "gateway.container.created",
            container=s.container_name,
            container_id=container_id[:12],
            image=s.image_ref,
            flavor=s.flavor,
            mode=s.trading_mode,
        )
        info = await self._engine.inspect(s.container_name)
        if info is None:
            raise GatewayError(f"The gateway container {s.container_name} vanished after creation")
        return info

    def _password_for_container(self) -> str | None:
        """The password to put in the container's env; None when it is mounted as a file."""
        s = self._settings
        if not s.username:
            raise GatewayError(
                "Cannot create the gateway container: no IB username is configured "
                "(--ib-gateway-username or IBKR_MCP_IB_GATEWAY_USERNAME)"
            )
        if s.password_file is not None:
            path = s.password_file.expanduser()
            if not path.is_file():
                raise GatewayError(
                    f"The gateway password file {path} does not exist or is not a file"
                )
            if s.profile.mounts_password_file:
                return None
            try:
                secret = path.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise GatewayError(
                    f"Cannot read the gateway password file {path}: {exc.strerror}"
                ) from None
            if secret:
                return secret
        if s.password:
            return s.password
        raise GatewayError(
            "Cannot create the gateway container: no IB password is configured "
            "(--ib-gateway-password-file, preferred, or IBKR_MCP_IB_GATEWAY_PASSWORD)"
        )

    async def _ensure_image(self, image: str) -> None:
        if await self._engine.has_image(image):
            return
        self._set_phase("pulling")
        log.info("gateway.image.pulling", image=image)
        try:
            await self._engine.pull(image, self._settings.pull_timeout)
        except GatewayError as exc:
            raise GatewayError(
                f"The gateway image {image} is not on this machine and could not be pulled: "
                f"{exc.message}. Pull or load it yourself (docker pull / docker load), or name "
                "a local image with --gateway-image.",
                image=image,
            ) from None
        log.info("gateway.image.pulled", image=image)

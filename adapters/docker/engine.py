"""The Docker Engine as the gateway needs it: a few calls, each bounded, errors in plain words.

Every call goes through aiodocker (async, never blocking the event loop) under a timeout, and
every failure comes out as a ``GatewayError`` whose message has passed through the secret
scrubber, so a password echoed back by the engine never reaches a log or a client.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiodocker
import aiohttp
from aiodocker.exceptions import DockerError

from application.redaction import Redactor
from domain.errors import GatewayError

T = TypeVar("T")
_UNREACHABLE = 900  # aiodocker's status for "cannot connect"


class DockerEngine:
    def __init__(self, url: str, *, timeout: float, scrub: Redactor) -> None:
        self.url = url
        self._timeout = timeout
        self._scrub = scrub
        self._client: aiodocker.Docker | None = None

    def _docker(self) -> aiodocker.Docker:
        if self._client is None:
            try:
                self._client = aiodocker.Docker(url=self.url)
            except ValueError as exc:
                raise self._unreachable(str(exc)) from None
        return self._client

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.close()

    async def _call(
        self,
        what: str,
        call: Callable[[aiodocker.Docker], Awaitable[T]],
        limit: float | None = None,
    ) -> T:
        limit = limit or self._timeout
        try:
            async with asyncio.timeout(limit):
                return await call(self._docker())
        except TimeoutError:
            raise GatewayError(
                f"Docker did not finish '{what}' within {limit:g} s "
                f"(engine at {self.url}, from DOCKER_HOST)",
                docker_host=self.url,
            ) from None
        except DockerError as exc:
            if exc.status == _UNREACHABLE:
                raise self._unreachable(exc.message) from None
            raise GatewayError(
                f"Docker refused '{what}': {self._scrub(str(exc.message))}",
                docker_status=exc.status,
            ) from None
        except (aiohttp.ClientError, OSError) as exc:
            raise self._unreachable(str(exc)) from None

    def _unreachable(self, reason: str) -> GatewayError:
        return GatewayError(
            f"Cannot reach the Docker engine at {self.url} (DOCKER_HOST): {self._scrub(reason)}. "
            "Start Docker, or set DOCKER_HOST to its socket (e.g. unix:///var/run/docker.sock), "
            "or run with --gateway simulated or --gateway external.",
            docker_host=self.url,
        )

    async def inspect(self, name: str) -> dict[str, Any] | None:
        """The container's ``docker inspect`` document, or None when there is none by that name."""

        async def get(d: aiodocker.Docker) -> dict[str, Any] | None:
            try:
                return await d.containers.container(name).show()
            except DockerError as exc:
                if exc.status == 404:
                    return None
                raise

        return await self._call("inspect container", get)

    async def has_image(self, image: str) -> bool:
        async def get(d: aiodocker.Docker) -> bool:
            try:
                await d.images.inspect(image)
            except DockerError as exc:
                if exc.status == 404:
                    return False
                raise
            return True

        return await self._call("inspect image", get)

    async def pull(self, image: str, limit: float) -> None:
        await self._call(f"pull {image}", lambda d: d.images.pull(image, timeout=limit), limit)

    async def create(self, name: str, config: dict[str, Any]) -> str:
        async def make(d: aiodocker.Docker) -> str:
            return (await d.containers.create(config, name=name)).id

        return await self._call("create container", make)

    async def start(self, container_id: str) -> None:
        await self._call("start container", lambda d: d.containers.container(container_id).start())

    async def stop(self, container_id: str, grace: int) -> None:
        await self._call(
            "stop container",
            lambda d: d.containers.container(container_id).stop(t=grace),
            self._timeout + grace,
        )

    async def restart(self, container_id: str, grace: int) -> None:
        await self._call(
            "restart container",
            lambda d: d.containers.container(container_id).restart(t=grace),
            self._timeout + grace,
        )

    async def remove(self, container_id: str) -> None:
        await self._call(
            "remove container", lambda d: d.containers.container(container_id).delete(force=True)
        )

    async def logs(self, container_id: str, tail: int) -> list[str]:
        """The last ``tail`` lines of stdout and stderr, in order, secrets scrubbed."""

        async def read(d: aiodocker.Docker) -> list[str]:
            container = d.containers.container(container_id)
            return list(await container.log(stdout=True, stderr=True, tail=tail))

        chunks = await self._call("read logs", read)
        lines = "".join(chunks).splitlines()
        return [self._scrub(line) for line in lines[-tail:]]

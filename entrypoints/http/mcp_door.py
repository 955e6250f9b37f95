"""/mcp, opened once FastMCP is loaded: the service answers REST before it has imported FastMCP.

FastMCP and the MCP SDK are about half of the service's start-up (protocol types, pydantic
models, auth); nothing on the way to ``/health`` needs them. So the MCP door is built in the
background once the service runs: the imports in a worker thread (the event loop keeps
serving), then the server and its streamable-HTTP app on the loop. A request to /mcp that
arrives before (in the first second or so) waits for the door, at most ``wait`` seconds, and
is then answered 503 with Retry-After; it is never lost or refused for being early. A door
that failed to build answers 503 naming the failure, and the failure is logged once.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
from collections.abc import Callable
from typing import Any

import msgspec
import structlog

log = structlog.get_logger("ibkr_mcp.mcp")

# What building the door imports: loaded in a worker thread, off the event loop.
HEAVY_MODULES = ("fastmcp", "entrypoints.mcp.server", "entrypoints.mcp.http")
# Seconds an early /mcp request waits for the door before it is answered 503.
DEFAULT_WAIT = 30.0

Asgi = Callable[[Any, Any, Any], Any]


class McpDoor:
    """An ASGI app standing in for the MCP app until ``open`` has built it."""

    def __init__(self, build: Callable[[], Any], *, wait: float = DEFAULT_WAIT) -> None:
        self._build = build
        self._wait = wait
        self._app: Any = None
        self._failure: str | None = None
        self._opened = asyncio.Event()
        self._closing = asyncio.Event()
        self._holder: asyncio.Task[None] | None = None

    @property
    def is_open(self) -> bool:
        return self._app is not None

    async def open(self) -> None:
        """Import, build and start the MCP app (its session manager's lifespan)."""
        try:
            await asyncio.to_thread(_import_heavy)
            app = self._build()
            started: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._holder = asyncio.create_task(self._hold(app, started), name="mcp-lifespan")
            await started
            self._app = app
            log.info("mcp.door_open")
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # reported to every /mcp caller, not raised into the loop
            self._failure = f"{type(exc).__name__}: {exc}"
            log.error("mcp.door_failed", error=self._failure)
        finally:
            self._opened.set()

    async def close(self) -> None:
        self._closing.set()
        if self._holder is not None:
            await self._holder

    async def _hold(self, app: Any, started: asyncio.Future[None]) -> None:
        """The app's lifespan, entered and left in this one task: FastMCP's lifespan sets
        context variables on the way in and resets them on the way out, which fails in any
        other task than the one that set them."""
        try:
            async with app.lifespan(app):
                if not started.done():  # done: open() was cancelled meanwhile
                    started.set_result(None)
                await self._closing.wait()
        except Exception as exc:
            if started.done():
                raise
            started.set_exception(exc)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self._app is None and scope["type"] == "http":
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._wait):
                    await self._opened.wait()
        if self._app is not None:
            await self._app(scope, receive, send)
            return
        if scope["type"] != "http":
            return
        reason = self._failure or "the MCP door is still starting"
        await _unavailable(send, f"MCP is unavailable: {reason}")


def _import_heavy() -> None:
    for name in HEAVY_MODULES:
        importlib.import_module(name)


async def _unavailable(send: Any, message: str) -> None:
    body = msgspec.json.encode({"error": message, "code": "mcp_unavailable", "status": 503})
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", b"1"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})

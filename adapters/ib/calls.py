"""Every call to IB goes through here: connected or NotConnected at once, bounded in time,
and ib_async's exceptions translated into domain errors."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from ib_async import IB

from adapters.ib import errors
from adapters.ib.bookkeeping import forget_finished
from adapters.ib.settings import IbSettings
from adapters.ib.supervisor import ConnectionSupervisor
from domain.errors import DomainError

T = TypeVar("T")


class IbCalls:
    def __init__(self, supervisor: ConnectionSupervisor, settings: IbSettings) -> None:
        self.supervisor = supervisor
        self.settings = settings
        # ib_async keys some requests by a fixed name (open orders, completed orders,
        # scanner parameters): two at once would overwrite each other, so they queue here.
        # Keyed by those names (literals in this package), so it never grows past a handful.
        self._serial: dict[str, asyncio.Lock] = {}

    def require(self, *, trading: bool = False) -> IB:
        return self.supervisor.require(trading=trading)

    async def run(
        self,
        what: str,
        request: Callable[[IB], Awaitable[T]],
        *,
        limit: float | None = None,
        serial: str | None = None,
        trading: bool = False,
    ) -> T:
        """Run ``request(ib)`` on the live session within ``limit`` seconds (default: request_timeout)."""
        ib = self.require(trading=trading)
        limit = self.settings.request_timeout if limit is None else limit
        try:
            if serial is None:
                return await asyncio.wait_for(request(ib), limit)
            lock = self._serial.setdefault(serial, asyncio.Lock())
            return await asyncio.wait_for(self._locked(lock, request, ib), limit)
        except DomainError:
            raise
        except Exception as exc:
            raise errors.translate(exc, what, limit) from exc
        finally:
            forget_finished(ib.wrapper)

    @staticmethod
    async def _locked(lock: asyncio.Lock, request: Callable[[IB], Awaitable[T]], ib: IB) -> T:
        async with lock:
            return await request(ib)

"""Every call to IB goes through here: connected or NotConnected at once, bounded in time,
and ib_async's exceptions translated into domain errors.

A request's time limit counts from when it is sent. Before that it may wait: behind an
earlier request of the same fixed-key kind (``serial``), and in ib_async's throttle queue
(45 messages per interval). That wait has its own bound (``queue_timeout``), so a burst of
other requests or a slow answer to an earlier one does not eat into the time IB gets to
answer this one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from ib_async import IB

from adapters.ib import errors
from adapters.ib.bookkeeping import forget_finished
from adapters.ib.pacing import ThrottleWatch
from adapters.ib.settings import IbSettings
from adapters.ib.supervisor import ConnectionSupervisor
from domain.errors import BrokerTimeout, DomainError

T = TypeVar("T")


class IbCalls:
    def __init__(self, supervisor: ConnectionSupervisor, settings: IbSettings) -> None:
        self.supervisor = supervisor
        self.settings = settings
        # ib_async keys some requests by a fixed name (open orders, completed orders,
        # scanner parameters): two at once would overwrite each other, so they queue here.
        # Keyed by those names (literals in this package), so it never grows past a handful.
        self._serial: dict[str, asyncio.Lock] = {}
        self.throttle = ThrottleWatch()
        supervisor.on_connect(self.throttle.attach)

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
        """Run ``request(ib)`` on the live session: IB must answer within ``limit`` seconds
        (default: request_timeout) of the request being sent; waiting to be sent is bounded
        by queue_timeout."""
        ib = self.require(trading=trading)
        limit = self.settings.request_timeout if limit is None else limit
        deadline = asyncio.get_running_loop().time() + self.settings.queue_timeout
        try:
            if serial is None:
                return await self._send(what, request, limit, deadline, trading)
            lock = self._serial.setdefault(serial, asyncio.Lock())
            await self._turn(what, lock, deadline)
            try:
                return await self._send(what, request, limit, deadline, trading)
            finally:
                lock.release()
        except DomainError:
            raise
        except Exception as exc:
            raise errors.translate(exc, what, limit) from exc
        finally:
            forget_finished(ib.wrapper)

    async def _turn(self, what: str, lock: asyncio.Lock, deadline: float) -> None:
        try:
            async with asyncio.timeout_at(deadline):
                await lock.acquire()
        except TimeoutError:
            raise self._not_sent(
                what, "an earlier request of the same kind is still waiting for IB"
            ) from None

    async def _send(
        self,
        what: str,
        request: Callable[[IB], Awaitable[T]],
        limit: float,
        deadline: float,
        trading: bool,
    ) -> T:
        ib = self.require(trading=trading)  # the session may have changed while we waited
        answer = asyncio.ensure_future(request(ib))
        try:
            await asyncio.sleep(0)  # a coroutine sends its message on its first step
            if self.throttle.holding:
                # Held back by the throttle until it drains, or answered (or failed, e.g. the
                # session dropped) meanwhile; whichever comes first.
                drained = asyncio.ensure_future(self.throttle.drained())
                try:
                    wait = max(0.0, deadline - asyncio.get_running_loop().time())
                    done, _ = await asyncio.wait(
                        {answer, drained}, timeout=wait, return_when=asyncio.FIRST_COMPLETED
                    )
                finally:
                    drained.cancel()
                if not done:
                    interval = self.settings.throttle_interval
                    raise self._not_sent(
                        what,
                        f"ib_async's throttle (45 messages per {interval:g} s) is holding back "
                        "a long queue of requests",
                    )
            return await asyncio.wait_for(answer, limit)
        finally:
            if not answer.done():
                answer.cancel()
            elif not answer.cancelled():
                answer.exception()  # retrieved, even when we gave up first

    def _not_sent(self, what: str, why: str) -> BrokerTimeout:
        return BrokerTimeout(
            f"{what} was not sent within {self.settings.queue_timeout:g} s: {why}; retry shortly"
        )

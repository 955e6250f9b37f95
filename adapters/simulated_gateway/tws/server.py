"""``TwsSimulator``: a TWS API socket server in front of a simulated world.

It listens on loopback, speaks server version 178 to every client, advances the world on a
timer and fans the world's events (order changes, fills, portfolio changes) out to the
clients that should see them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from datetime import datetime
from types import TracebackType

import structlog

from adapters.simulated_gateway.model import Quote, World, WorldEvent
from adapters.simulated_gateway.tws import messages as msg
from adapters.simulated_gateway.tws.event_fanout import EventFanOut
from adapters.simulated_gateway.tws.faults import Faults
from adapters.simulated_gateway.tws.order_ids import OrderIds
from adapters.simulated_gateway.tws.session import ClientSession

log = structlog.get_logger(__name__)

# IB's starting allowance of market data lines; a client holding this many streaming lines
# gets error 101 ("Max number of tickers has been reached") for the next one.
DEFAULT_MARKET_DATA_LINES = 100


def _default_world(seed: int, account: str) -> World:
    from adapters.simulated_gateway.world import SimWorld  # the world side, built separately

    return SimWorld(seed=seed, account=account)


class TwsSimulator:
    """A simulated IB Gateway (paper account) for ib_async and other TWS API clients."""

    def __init__(
        self,
        world: World | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = 7,
        account: str = "DU1234567",
        tick_interval: float = 0.25,
        max_market_data_lines: int = DEFAULT_MARKET_DATA_LINES,
    ) -> None:
        self.world: World = world if world is not None else _default_world(seed, account)
        self.host = host
        self.port = port
        self.tick_interval = tick_interval
        # per client connection: the market data lines it may hold at once
        self.max_market_data_lines = max_market_data_lines
        # keys the made-up parts of the wire side's data (order book sizes, trade venues)
        self.seed: int = getattr(self.world, "seed", seed)
        self.faults = Faults(self)
        self.order_ids = OrderIds()
        # What clients asked for, by TWS message id, and IB's pacing errors (100) sent: for
        # benchmarks and operators (the control interface's /status shows them).
        self.requests: Counter[str] = Counter()
        self.pacing_violations = 0
        self._connections: set[ClientSession] = set()
        self._clients: dict[int, ClientSession] = {}
        self._listener: asyncio.Server | None = None
        self._clock: asyncio.Task[None] | None = None
        self._reopen: asyncio.TimerHandle | None = None
        self._reopening: asyncio.Task[None] | None = None
        self._running = False
        # quotes of the current simulated instant, shared by every subscription and snapshot
        self._quotes: dict[int, Quote] = {}
        self._quotes_at: datetime | None = None
        # a fill may move last price and volume: world events reset the quotes
        self._events = EventFanOut(self._clients, self._quotes.clear)

    # --- life cycle ------------------------------------------------------------------------

    async def start(self) -> None:
        if self._running:
            return
        self._running = True
        self.world.add_listener(self._events.on_world_event)
        await self._listen()
        self._clock = asyncio.create_task(self._run_clock(), name="tws-simulator-clock")
        log.info("simulator.listening", host=self.host, port=self.port, account=self.world.account)

    async def _listen(self) -> None:
        loop = asyncio.get_running_loop()
        self._listener = await loop.create_server(
            lambda: ClientSession(self), self.host, self.port, reuse_address=True
        )
        # a restart (refuse_connections) must come back on the same port
        self.port = self._listener.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Close the listener and every client; safe to call twice."""
        if not self._running:
            return
        self._running = False
        if self._reopen is not None:
            self._reopen.cancel()
        for task in (self._clock, self._reopening):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        self.drop_all()
        self.world.remove_listener(self._events.on_world_event)
        await asyncio.sleep(0)  # let the transports run their connection_lost callbacks
        log.info("simulator.stopped", port=self.port)

    async def __aenter__(self) -> TwsSimulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def _run_clock(self) -> None:
        loop = asyncio.get_running_loop()
        last = loop.time()
        while True:
            await asyncio.sleep(self.tick_interval)
            now = loop.time()
            # after a stall (debugger, overloaded CI) do not jump the market by minutes
            elapsed = min(now - last, 5 * self.tick_interval)
            last = now
            self.advance(elapsed)

    def advance(self, seconds: float) -> None:
        """Move simulated time on by ``seconds`` and stream what changed to every client.

        The clock task calls this every ``tick_interval``; a test that wants to control time
        (e.g. to see real-time bars roll without waiting) builds the simulator with a long
        ``tick_interval`` and calls this itself.
        """
        try:
            self.world.step(seconds)
        except Exception:
            log.exception("simulator.step_failed")
        for session in list(self._clients.values()):
            try:
                session.on_step()
            except Exception:  # one client's stream must not stop the others'
                log.exception("simulator.stream_failed", client_id=session.client_id)

    def loop_time(self) -> float:
        return asyncio.get_running_loop().time()

    def quote(self, con_id: int) -> Quote:
        """The world's quote, computed once per simulated instant (world events reset it)."""
        now = self.world.now()
        if now != self._quotes_at:
            self._quotes.clear()
            self._quotes_at = now
        quote = self._quotes.get(con_id)
        if quote is None:
            quote = self._quotes[con_id] = self.world.quote(con_id)
        return quote

    # --- sessions --------------------------------------------------------------------------

    def session_opened(self, session: ClientSession) -> None:
        self._connections.add(session)

    def session_closed(self, session: ClientSession) -> None:
        self._connections.discard(session)
        if self._clients.get(session.client_id) is session:
            del self._clients[session.client_id]

    def claim_client_id(self, session: ClientSession, client_id: int) -> bool:
        """Register a client id; False when another live connection already uses it (326)."""
        if client_id in self._clients:
            return False
        self._clients[client_id] = session
        return True

    def session_for(self, client_id: int) -> ClientSession | None:
        return self._clients.get(client_id)

    def sessions(self) -> list[ClientSession]:
        """The started client sessions (IB counts depth and tick-by-tick limits per user)."""
        return list(self._clients.values())

    @property
    def client_count(self) -> int:
        return len(self._clients)

    def drop_all(self) -> None:
        for session in list(self._connections):
            session.close()

    def refuse_for(self, seconds: float) -> None:
        """Stop listening and drop everyone; listen again on the same port after ``seconds``."""
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        self.drop_all()
        if self._reopen is not None:
            self._reopen.cancel()
        loop = asyncio.get_running_loop()
        self._reopen = loop.call_later(max(0.0, seconds), self._start_reopen)

    def _start_reopen(self) -> None:
        self._reopen = None
        if self._running:
            self._reopening = asyncio.create_task(self._reopen_listener())

    async def _reopen_listener(self) -> None:
        for attempt in range(20):  # the port may linger briefly; retry, bounded
            try:
                await self._listen()
                log.info("simulator.listening_again", port=self.port)
                return
            except OSError as exc:
                log.warning(
                    "simulator.rebind_failed", port=self.port, attempt=attempt, error=str(exc)
                )
                await asyncio.sleep(0.25)

    def broadcast_error(self, code: int, text: str) -> None:
        for session in list(self._clients.values()):
            session.send(msg.error(-1, code, text))

    def release_held_orders(self) -> None:
        for session in list(self._clients.values()):
            session.release_held_orders()

    def clear_market_data_subscriptions(self) -> None:
        for session in list(self._clients.values()):
            session.clear_market_data()

    # --- world events ----------------------------------------------------------------------

    def held_events(self) -> contextlib.AbstractContextManager[list[WorldEvent]]:
        """Queue world events during a synchronous world call (see ``EventFanOut.held``)."""
        return self._events.held()

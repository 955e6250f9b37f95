"""One connected API client: handshake, start-up, request dispatch and batched replies.

Replies produced while handling one TCP read (or one timer tick) are written with one
``transport.write`` on the next loop iteration; that keeps the socket busy with few syscalls
and preserves message order.
"""

from __future__ import annotations

import asyncio
import socket
from collections import Counter, deque
from collections.abc import Callable
from datetime import UTC
from typing import Protocol, cast

import structlog

from adapters.simulated_gateway.model import ContractQuery, Instrument
from adapters.simulated_gateway.tws import messages as msg
from adapters.simulated_gateway.tws.client import Gateway
from adapters.simulated_gateway.tws.handlers.handlers_account import AccountHandlers
from adapters.simulated_gateway.tws.handlers.handlers_contracts import ContractHandlers
from adapters.simulated_gateway.tws.handlers.handlers_depth import DepthHandlers
from adapters.simulated_gateway.tws.handlers.handlers_fundamentals import FundamentalsHandlers
from adapters.simulated_gateway.tws.handlers.handlers_history_extras import HistoryExtraHandlers
from adapters.simulated_gateway.tws.handlers.handlers_market import MarketDataHandlers
from adapters.simulated_gateway.tws.handlers.handlers_news import NewsHandlers
from adapters.simulated_gateway.tws.handlers.handlers_orders import OrderHandlers
from adapters.simulated_gateway.tws.handlers.handlers_pnl import PnlHandlers
from adapters.simulated_gateway.tws.handlers.handlers_research import ResearchHandlers
from adapters.simulated_gateway.tws.handlers.option_ticks import OptionCalculatorHandlers
from adapters.simulated_gateway.tws.handlers.order_events import OrderEvents
from adapters.simulated_gateway.tws.handlers.realtime_bars import RealTimeBarHandlers
from adapters.simulated_gateway.tws.handlers.subscription_screen import (
    screen as screen_subscription,
)
from adapters.simulated_gateway.tws.handlers.tick_by_tick import TickByTickHandlers
from adapters.simulated_gateway.tws.handlers.unsupported import (
    NOT_SUPPORTED_CODE,
    EmptyAnswers,
    not_supported_text,
)
from adapters.simulated_gateway.tws.handlers.unsupported import request_id as _any_request_id
from adapters.simulated_gateway.tws.pacing import MessageRate
from adapters.simulated_gateway.tws.versions import (
    UPDATE_TWS,
    for_client,
    from_client,
    negotiate,
    request_too_new,
)
from adapters.simulated_gateway.tws.wire import FieldReader, FrameReader, ProtocolError, frame

log = structlog.get_logger(__name__)

SERVER_VERSION = 178
NO_SECURITY_DEFINITION = "No security definition has been found for the request"
CLIENT_ID_IN_USE = (
    "Unable to connect as the client id is already in use. Retry with a unique client id."
)

MAX_API_CLIENTS = 32
TOO_MANY_CLIENTS = (
    "Couldn't connect to TWS. The maximum number of API clients (32) is already connected."
)

Handler = Callable[[list[str]], None]
_ORDER_INSTRUCTIONS = ("3", "4")  # placeOrder, cancelOrder
MAX_HELD_ORDERS = 500  # per connection, while IB is unreachable
# where each request that expects an answer keeps its request (or order) id
_REQ_ID_POSITION = {
    "1": 2, "3": 1, "7": 2, "9": 2, "10": 2, "20": 1, "22": 1, "50": 2, "62": 2, "76": 2,
    "78": 1, "81": 1, "92": 1, "94": 1, "97": 1, "87": 1, "88": 1, "96": 1,
    "84": 1, "86": 1, "52": 2, "100": 1, "102": 1, "54": 2, "55": 2,
}  # fmt: skip


def _request_id(fields: list[str]) -> int:
    """The request id of a failed request, so the error ends it in the client (else -1)."""
    position = _REQ_ID_POSITION.get(fields[0])
    if position is None:
        return _any_request_id(fields)
    try:
        return int(fields[position]) if position is not None else -1
    except (IndexError, ValueError):
        return -1


class Server(Gateway, Protocol):
    """The server (``TwsSimulator``), as its sessions use it; the session does not import it."""

    requests: Counter[str]
    pacing_violations: int

    @property
    def client_count(self) -> int: ...

    def session_opened(self, session: ClientSession) -> None: ...

    def session_closed(self, session: ClientSession) -> None: ...

    def claim_client_id(self, session: ClientSession, client_id: int) -> bool: ...


class ClientSession(asyncio.Protocol):
    def __init__(self, server: Server) -> None:
        self.server = server
        self.world = server.world
        self.account = server.world.account
        self.client_id = -1
        self.started = False
        self.closed = False
        self.transport: asyncio.Transport | None = None
        self._reader = FrameReader()
        self._version_agreed = False
        self.server_version = SERVER_VERSION  # agreed in the handshake, per session
        self._out: list[bytes] = []
        self._flush_scheduled = False
        self._delayed: deque[tuple[float, bytes]] = deque()
        self._delayed_timer: asyncio.TimerHandle | None = None
        self._rate = MessageRate()
        # order instructions received while IB is unreachable (1100), sent on when it is back
        self._held_orders: list[list[str]] = []
        self._loop = asyncio.get_running_loop()
        self.order_events = OrderEvents(self)
        self.market = MarketDataHandlers(self)
        self.depth = DepthHandlers(self)
        self.bars = RealTimeBarHandlers(self)
        self.tick_by_tick = TickByTickHandlers(self)
        self.contracts = ContractHandlers(self)
        self.orders = OrderHandlers(self)
        self.account_handlers = AccountHandlers(self)
        self.pnl = PnlHandlers(self)
        self.empty_answers = EmptyAnswers(self)
        self.history_extras = HistoryExtraHandlers(self)
        self.research = ResearchHandlers(self)
        self.news = NewsHandlers(self)
        self.fundamentals = FundamentalsHandlers(self)
        self.option_calculators = OptionCalculatorHandlers(self)
        self._routes: dict[str, Handler] = {
            "8": self._req_ids,
            "49": self._req_current_time,
            "71": self._ignore_second_start,
        }
        for handlers in (self.market, self.depth, self.bars, self.tick_by_tick, self.contracts,
                         self.orders, self.account_handlers, self.pnl,
                         self.empty_answers, self.history_extras, self.research,
                         self.news, self.fundamentals, self.option_calculators):  # fmt: skip
            self._routes.update(handlers.routes())

    # --- transport -------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, but behave as one
        self.transport = cast(asyncio.Transport, transport)
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.session_opened(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.clear_market_data()
        self.account_handlers.clear()
        self.pnl.clear()
        if self._delayed_timer is not None:
            self._delayed_timer.cancel()
        self.server.session_closed(self)
        log.info("simulator.client_disconnected", client_id=self.client_id)

    def data_received(self, data: bytes) -> None:
        try:
            batch = self._reader.feed(data)
        except ProtocolError as exc:
            log.warning("simulator.protocol_error", error=str(exc))
            self.close()
            return
        if self.started and batch:
            count = self._rate.exceeded(self._loop.time(), len(batch))
            if count:
                text = f"Max rate of messages per second has been exceeded:max=50 rec={count} (1)"
                self.send(msg.error(-1, 100, text))
                self.server.pacing_violations += 1
        for fields in batch:
            if self.closed:
                return
            if not self._version_agreed:
                self._agree_version(fields)
            elif not self.started:
                self._start_api(fields)
            else:
                self._dispatch(fields)

    def send(self, fields: list[str]) -> None:
        if self.closed:
            return
        if self.server_version < SERVER_VERSION:
            adapted = for_client(fields, self.server_version)
            if adapted is None:
                log.warning("simulator.message_not_in_version", msg_id=fields[0],
                            version=self.server_version)  # fmt: skip
                return
            fields = adapted
        self._out.append(frame(fields))
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self._loop.call_soon(self.flush)

    def flush(self) -> None:
        self._flush_scheduled = False
        if not self._out or self.transport is None or self.closed:
            self._out.clear()
            return
        data = b"".join(self._out)
        self._out.clear()
        latency = self.server.faults.latency
        if latency > 0 or self._delayed:
            self._delayed.append((self._loop.time() + latency, data))
            if self._delayed_timer is None:
                self._delayed_timer = self._loop.call_at(self._delayed[0][0], self._write_due)
            return
        self.transport.write(data)

    def _write_due(self) -> None:
        # the latency fault: write, in order, every batch whose delay has passed
        self._delayed_timer = None
        now = self._loop.time()
        while self._delayed and self._delayed[0][0] <= now:
            _, data = self._delayed.popleft()
            if self.transport is not None and not self.closed:
                self.transport.write(data)
        if self._delayed:
            self._delayed_timer = self._loop.call_at(self._delayed[0][0], self._write_due)

    def close(self) -> None:
        """Write what is pending, then close the socket (later sends are dropped)."""
        if self.transport is None or self.closed:
            return
        self.flush()
        self.closed = True
        self.transport.close()

    def abort(self) -> None:
        """Drop the connection at once, as a crashing gateway would."""
        if self.transport is not None:
            self.transport.abort()

    # --- handshake -------------------------------------------------------------------------

    def _agree_version(self, fields: list[str]) -> None:
        text = fields[0] if fields else ""
        version = negotiate(text)
        if version is None:
            # below v100 a client does not speak this framing: IB closes the socket
            log.warning("simulator.version_refused", hello=text)
            self.close()
            return
        self._version_agreed = True
        self.server_version = version
        now = self.world.now().astimezone(UTC).strftime("%Y%m%d %H:%M:%S UTC")
        self.send(msg.handshake(version, now))

    def _start_api(self, fields: list[str]) -> None:
        if fields[0] != "71":
            log.warning("simulator.request_before_start_api", msg_id=fields[0])
            return
        client_id = FieldReader(fields, 2).integer()
        if self.server.client_count >= MAX_API_CLIENTS:
            # IB serves at most 32 API clients at once; the next is refused and closed
            self.send(msg.error(-1, 502, TOO_MANY_CLIENTS))
            self.close()
            return
        if not self.server.claim_client_id(self, client_id):
            self.send(msg.error(-1, 326, CLIENT_ID_IN_USE))
            self.close()
            return
        self.client_id = client_id
        self.started = True
        log.info("simulator.client_connected", client_id=client_id)
        self.send(msg.managed_accounts([self.account]))
        self.send(msg.next_valid_id(self.server.order_ids.next_valid(client_id)))
        for code, text in self.server.faults.farm_notices():
            self.send(msg.error(-1, code, text))

    # --- dispatch --------------------------------------------------------------------------

    def _dispatch(self, fields: list[str]) -> None:
        self.server.requests[fields[0]] += 1
        if self.server_version < SERVER_VERSION:
            refused = request_too_new(fields[0], self.server_version)
            if refused is not None:
                self.send(msg.error(_request_id(fields), UPDATE_TWS, refused))
                return
            try:
                fields = from_client(fields, self.server_version)
            except (IndexError, ValueError) as exc:
                text = f"Error reading request. Message id {fields[0]}: {exc}"
                self.send(msg.error(_request_id(fields), 320, text))
                return
        if fields[0] in _ORDER_INSTRUCTIONS and self.server.faults.severed:
            # the gateway cannot reach IB: the order stays PendingSubmit until 1101/1102
            if len(self._held_orders) >= MAX_HELD_ORDERS:
                text = (f"Order rejected - reason:{MAX_HELD_ORDERS} order instructions are "
                        "waiting for the connection to IB")  # fmt: skip
                self.send(msg.error(_request_id(fields), 201, text))
                return
            self._held_orders.append(fields)
            return
        self._handle(fields)

    def release_held_orders(self) -> None:
        """Connectivity is back: send on, in order, what was placed or cancelled meanwhile."""
        held, self._held_orders = self._held_orders, []
        for fields in held:
            self._handle(fields)

    def _handle(self, fields: list[str]) -> None:
        if screen_subscription(self, fields):
            return  # refused for a missing market data subscription (a fault)
        handler = self._routes.get(fields[0])
        if handler is None:
            # IB answers every request: an unmodelled one ends with an error, never silence
            log.warning("simulator.not_supported", msg_id=fields[0], fields=len(fields))
            text = not_supported_text(fields[0])
            self.send(msg.error(_request_id(fields), NOT_SUPPORTED_CODE, text))
            return
        try:
            handler(fields)
        except (IndexError, ValueError) as exc:
            log.warning("simulator.malformed_request", msg_id=fields[0], error=str(exc))
            text = f"Error reading request. Message id {fields[0]}: {exc}"
            self.send(msg.error(_request_id(fields), 320, text))
        except Exception as exc:
            # a world-side failure must end the client's request, not leave it hanging
            log.exception("simulator.handler_failed", msg_id=fields[0])
            text = f"Error processing request. Message id {fields[0]}: {exc}"
            self.send(msg.error(_request_id(fields), 320, text))

    def _req_ids(self, fields: list[str]) -> None:
        self.send(msg.next_valid_id(self.server.order_ids.next_valid(self.client_id)))

    def _req_current_time(self, fields: list[str]) -> None:
        self.send(msg.current_time(int(self.world.now().timestamp())))

    def _ignore_second_start(self, fields: list[str]) -> None:
        log.warning("simulator.start_api_repeated", client_id=self.client_id)

    # --- helpers shared by the handler groups ------------------------------------------

    def resolve(self, req_id: int, query: ContractQuery) -> Instrument | None:
        """The one instrument a request names, or send IB's error 200 and return None."""
        if query.con_id:
            found = self.world.by_con_id(query.con_id)
            if found is not None:
                return found
        matches = self.world.find(query)
        if len(matches) == 1:
            return matches[0]
        if matches:
            text = f"The contract description specified for {query.symbol} is ambiguous."
            self.send(msg.error(req_id, 200, text))
        else:
            self.send(msg.error(req_id, 200, NO_SECURITY_DEFINITION))
        return None

    def error(self, req_id: int, code: int, text: str) -> None:
        self.send(msg.error(req_id, code, text))

    def clear_market_data(self) -> None:
        """Forget every market data subscription (a disconnect, or IB's 1101 "data lost")."""
        self.market.clear()
        self.depth.clear()
        self.bars.clear()
        self.tick_by_tick.clear()
        self.contracts.clear()

    def on_step(self) -> None:
        """Called after each world step: stream ticks, depth and bar updates."""
        self.market.on_step()
        self.depth.on_step()
        self.bars.on_step()
        self.tick_by_tick.on_step()
        self.contracts.on_step()

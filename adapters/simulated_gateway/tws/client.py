"""What a request handler sees of its client connection and of the gateway behind it.

``ClientSession`` (``session``) and ``TwsSimulator`` (``server``) satisfy these protocols
structurally. Handlers are typed against them rather than against the session and the server
themselves, so the imports point one way: the server imports the session, the session imports
its handlers, and handlers import only this module, the message builders and the world's parts.
A handler that needs another handler of its session (the market data lines a client holds, the
depth or tick-by-tick limits counted over every client) reaches it through the small views below.
"""

from __future__ import annotations

from collections.abc import Sequence, Sized
from contextlib import AbstractContextManager
from typing import Protocol

from adapters.simulated_gateway.model import (
    ContractQuery,
    Instrument,
    OrderRecord,
    Quote,
    World,
    WorldEvent,
)
from adapters.simulated_gateway.tws.faults import Faults
from adapters.simulated_gateway.tws.order_ids import OrderIds
from adapters.simulated_gateway.tws.pacing import HistoricalPacing


class Gateway(Protocol):
    """The server, as the handlers of one of its sessions use it."""

    @property
    def world(self) -> World: ...

    @property
    def faults(self) -> Faults: ...

    @property
    def order_ids(self) -> OrderIds: ...

    @property
    def seed(self) -> int: ...

    @property
    def max_market_data_lines(self) -> int: ...

    def loop_time(self) -> float: ...

    def quote(self, con_id: int) -> Quote: ...

    def held_events(self) -> AbstractContextManager[list[WorldEvent]]: ...

    def sessions(self) -> Sequence[Client]: ...

    def session_for(self, client_id: int) -> Client | None: ...


class Streams(Protocol):
    """A handler group holding subscriptions (counted against IB's limits)."""

    @property
    def streams(self) -> Sized: ...


class MarketLines(Protocol):
    requested_type: int  # reqMarketDataType's last answer: 1 live .. 4 delayed-frozen
    delayed: set[int]  # requests to be served delayed (a subscription the account lacks)

    def line_available(self, req_id: int) -> bool: ...


class DepthBooks(Protocol):
    def con_ids(self) -> set[int]: ...


class HistoricalRequests(Protocol):
    @property
    def pacing(self) -> HistoricalPacing: ...


class OrderNotices(Protocol):
    """What one client is told about its orders (``order_events.OrderEvents``)."""

    def forget(self, world_id: int) -> None: ...

    def client_view(self, record: OrderRecord) -> tuple[int, OrderRecord]: ...

    def on_order_changed(self, record: OrderRecord) -> None: ...

    def on_cancelled(self, record: OrderRecord) -> None: ...


class Client(Protocol):
    """One connected API client, as its request handlers use it."""

    @property
    def client_id(self) -> int: ...

    @property
    def account(self) -> str: ...

    @property
    def server_version(self) -> int: ...  # agreed in the handshake

    @property
    def world(self) -> World: ...

    @property
    def server(self) -> Gateway: ...

    @property
    def market(self) -> MarketLines: ...

    @property
    def depth(self) -> DepthBooks: ...

    @property
    def bars(self) -> Streams: ...

    @property
    def tick_by_tick(self) -> Streams: ...

    @property
    def contracts(self) -> HistoricalRequests: ...

    @property
    def order_events(self) -> OrderNotices: ...

    def send(self, fields: list[str]) -> None: ...

    def error(self, req_id: int, code: int, text: str) -> None: ...

    def resolve(self, req_id: int, query: ContractQuery) -> Instrument | None: ...

"""MCP resource subscriptions: ``notifications/resources/updated`` when live data changes.

A client (of the initialize-handshake era) sends ``resources/subscribe`` for
``ibkr://quotes/{contract_id}``, ``ibkr://orders/open`` or ``ibkr://account/positions``; each
subscription reads a live stream of its own (``StreamService``, owned by the caller, so the
per-caller stream cap applies) and tells the session when the resource changed: a new quote
(or the quote going stale), an order status or fill, a position. Notifications are coalesced:
at most one per resource and session per ``interval`` (what arrived meanwhile is folded into
it), so a fast quote stream cannot flood the client; the client reads the resource for the
data. ``resources/unsubscribe``, the end of the session and a stream IB ended release it.

Notifications need a session that can carry server messages: stdio, and streamable HTTP
with sessions (``--mcp-stateful``). Stateless HTTP has none, so ``mcp_asgi_app`` turns the
capability off there (``disable``) and a subscribe that still arrives is refused.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastmcp import FastMCP
from mcp.server.context import ServerRequestContext
from mcp.shared.exceptions import MCPError
from mcp_types import (
    INVALID_PARAMS,
    INVALID_REQUEST,
    EmptyResult,
    SubscribeRequestParams,
    UnsubscribeRequestParams,
)

from application.services.fanout import Consumer, StreamEnded, StreamNotice
from application.services.streams import StreamService
from domain.errors import ContractNotFound, DomainError, InvalidRequest
from domain.market_data import Quote
from domain.streams import FillEvent, OrderEvent, PositionEvent
from entrypoints.mcp.caller import request_caller
from entrypoints.mcp.errors import explain

log = logging.getLogger("ibkr_mcp.mcp")
QUOTES = re.compile(r"^ibkr://quotes/([1-9][0-9]{0,9})$")
ORDERS = "ibkr://orders/open"
POSITIONS = "ibkr://account/positions"
COALESCE_SECONDS = 0.25
MAX_WATCHES = 256
IDLE_WAIT = 3600.0  # nothing to do while nothing arrives: no heartbeat on MCP
METHODS = ("resources/subscribe", "resources/unsubscribe")


@dataclass
class _Watch:
    key: tuple[int, str]
    uri: str
    connection: Any  # the SDK's Connection: notify() and exit_stack
    consumer: Consumer[Any]
    wanted: Callable[[Any], bool]
    task: asyncio.Task[None] | None = None


class ResourceWatches:
    """The resource subscriptions of every session, each over its own bounded stream."""

    def __init__(self, streams: StreamService, *, interval: float = COALESCE_SECONDS) -> None:
        self._streams = streams
        self.interval = interval
        self._watches: dict[tuple[int, str], _Watch] = {}
        self._opening: set[tuple[int, str]] = set()

    def install(self, mcp: FastMCP) -> None:
        """Serve ``resources/subscribe`` and ``resources/unsubscribe`` (which also makes the
        server advertise the ``resources.subscribe`` capability)."""
        server = mcp._mcp_server  # fastmcp 4.2 offers no public way to add SDK handlers
        server.add_request_handler(METHODS[0], SubscribeRequestParams, self._on_subscribe)
        server.add_request_handler(METHODS[1], UnsubscribeRequestParams, self._on_unsubscribe)

    def count(self) -> int:
        return len(self._watches)

    async def _on_subscribe(
        self, ctx: ServerRequestContext[Any], params: SubscribeRequestParams
    ) -> EmptyResult:
        connection = ctx.session._connection  # the session's; the SDK exposes no accessor
        if not connection.has_standalone_channel:
            raise MCPError(
                INVALID_REQUEST,
                "Resource subscriptions need a session that can receive notifications (stdio, "
                "or streamable HTTP with sessions); use open_subscription/read_subscription",
            )
        key = (id(connection), str(params.uri))
        if key not in self._watches and key not in self._opening:
            self._opening.add(key)  # a second subscribe meanwhile finds it: no second stream
            try:
                await self._subscribe(key, str(params.uri), connection, request_caller(ctx.request))
            finally:
                self._opening.discard(key)
        return EmptyResult()

    async def _on_unsubscribe(
        self, ctx: ServerRequestContext[Any], params: UnsubscribeRequestParams
    ) -> EmptyResult:
        self._drop((id(ctx.session._connection), str(params.uri)))
        return EmptyResult()

    async def _subscribe(self, key: tuple[int, str], uri: str, connection: Any, owner: str) -> None:
        if len(self._watches) + len(self._opening) > MAX_WATCHES:
            raise MCPError(INVALID_REQUEST, f"{MAX_WATCHES} resource subscriptions are open")
        try:
            consumer, wanted = await self._open(uri, owner)
        except DomainError as exc:  # the caller's to act on (bad uri, caps, no data): say so
            bad = isinstance(exc, (InvalidRequest, ContractNotFound))
            raise MCPError(INVALID_PARAMS if bad else INVALID_REQUEST, explain(exc)) from None
        if not any(k[0] == key[0] for k in self._watches):
            connection.exit_stack.callback(self._drop_connection, key[0])
        watch = _Watch(key, uri, connection, consumer, wanted)
        self._watches[key] = watch
        watch.task = asyncio.create_task(self._pump(watch), name=f"mcp-watch {uri}")

    async def _open(self, uri: str, owner: str) -> tuple[Consumer[Any], Callable[[Any], bool]]:
        quote = QUOTES.match(uri)
        if quote is not None:
            consumer = await self._streams.quotes([int(quote[1])], owner, overflow="overwrite")
            return consumer, lambda item: isinstance(item, (Quote, StreamNotice))
        if uri == ORDERS:
            consumer = await self._streams.account(owner, overflow="overwrite")
            return consumer, lambda item: isinstance(item, (OrderEvent, FillEvent))
        if uri == POSITIONS:
            consumer = await self._streams.account(owner, overflow="overwrite")
            return consumer, lambda item: isinstance(item, PositionEvent)
        raise InvalidRequest(
            f"Only ibkr://quotes/{{contract_id}}, {ORDERS} and {POSITIONS} can be subscribed "
            f"to; got {uri!r}",
            field="uri",
        )

    async def _pump(self, watch: _Watch) -> None:
        loop = asyncio.get_running_loop()
        last = -math.inf
        consumer = watch.consumer
        try:
            while True:
                try:
                    item = await consumer.next(IDLE_WAIT)
                except StreamEnded as ended:
                    log.info("mcp resource %s: stream ended: %s", watch.uri, ended.reason)
                    await watch.connection.send_resource_updated(watch.uri)  # reading tells why
                    return
                if item is None or not watch.wanted(item):
                    continue
                wait = last + self.interval - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                consumer.forget_until(consumer.sequence)  # folded into this notification
                await watch.connection.send_resource_updated(watch.uri)
                last = loop.time()
        except Exception as exc:  # the session went away under us: nothing left to tell
            log.info("mcp resource %s: notifying stopped: %s", watch.uri, exc)
        finally:
            if self._watches.get(watch.key) is watch:
                del self._watches[watch.key]
            consumer.close()

    def _drop(self, key: tuple[int, str]) -> None:
        watch = self._watches.pop(key, None)
        if watch is not None:
            watch.consumer.close()
            if watch.task is not None:
                watch.task.cancel()

    def _drop_connection(self, connection_id: int) -> None:
        for key in [k for k in self._watches if k[0] == connection_id]:
            self._drop(key)

    def close_all(self) -> None:
        for key in list(self._watches):
            self._drop(key)


def disable(mcp: FastMCP) -> None:
    """No resource subscriptions (stateless HTTP): the capability is no longer advertised."""
    for method in METHODS:
        mcp._mcp_server._request_handlers.pop(method, None)

"""Live streams on REST as server-sent events, rendered from ``catalog.streams.STREAMS``.

The handler opens the stream before answering, so every refusal (bad parameter, unknown
contract, too many streams, no market data lines, no live feed) is an ordinary JSON error with
its status, never a 200 stream. Then each event is one SSE message (``event:`` its type,
``id:`` its sequence number, ``data:`` its JSON), a ``: keep-alive`` comment comes after
``heartbeat`` idle seconds, and a stream that ends says why in a last ``end`` event. Litestar
cancels the response when the client disconnects; the stream is then closed and its
upstream given back (the ``finally`` below).
"""

from __future__ import annotations

import inspect
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Request
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import ResponseSpec
from litestar.response import ServerSentEvent, ServerSentEventMessage

from application.container import Services
from application.services.fanout import Consumer, StreamEnded
from application.services.subscriptions import event_type
from entrypoints.catalog.operation import Call, Operation
from entrypoints.catalog.streams import STREAMS
from entrypoints.http.docs import BEARER_SECURITY
from entrypoints.http.errors import ErrorBody, responses
from entrypoints.http.operations import decode_request, rest_caller, rest_parameters
from entrypoints.http.operations import signature_parameter as parameter
from entrypoints.metrics import ServiceMetrics

AnyRequest = Request[Any, Any, Any]
DEFAULT_HEARTBEAT = 15.0
EVENT_STREAM = "text/event-stream"
# Proxies (nginx) must pass each event on at once, and nobody may cache a live stream.
HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


class StreamEnd(msgspec.Struct, frozen=True, kw_only=True):
    """The data of the last event, ``end``: why the stream ended."""

    reason: str
    code: str


def stream_handlers(
    services: Services,
    metrics: ServiceMetrics,
    *,
    heartbeat: float = DEFAULT_HEARTBEAT,
    streams: tuple[Operation, ...] = STREAMS,
) -> list[HTTPRouteHandler]:
    stamp = services.streams.stamp if services.streams is not None else _same
    encoded = EncodedItems(stamp)
    return [_handler(op, services, metrics, heartbeat, encoded) for op in streams]


def _handler(
    op: Operation,
    services: Services,
    metrics: ServiceMetrics,
    heartbeat: float,
    encoded: EncodedItems,
) -> HTTPRouteHandler:
    params = rest_parameters(op)

    async def handle(request: AnyRequest, **given: Any) -> ServerSentEvent:
        args, extras = decode_request(op, params, given, None, body=False)
        consumer: Consumer[Any] = await op.call(args, Call(services, rest_caller(request), extras))
        events = ClosingEvents(
            sse_events(consumer, encoded, heartbeat, StreamCounter(op.name, metrics)), consumer
        )
        return ServerSentEvent(events, headers=HEADERS)

    signature = [
        inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY, annotation=AnyRequest),
        *(parameter(param) for param in params),
    ]
    handle.__signature__ = inspect.Signature(signature, return_annotation=ServerSentEvent)  # type: ignore[attr-defined]
    handle.__annotations__ = {p.name: p.annotation for p in signature} | {"return": ServerSentEvent}
    handle.__name__ = handle.__qualname__ = op.name
    errors = set(op.errors)
    specs = {
        200: ResponseSpec(
            data_container=op.output,
            media_type=EVENT_STREAM,
            description="A stream of server-sent events; each event's data is one of these",
            generate_examples=False,
        ),
        **responses(*errors),
        401: ResponseSpec(
            data_container=ErrorBody,
            description="No or wrong bearer token (only when the service runs with tokens)",
            generate_examples=False,
        ),
    }
    return HTTPRouteHandler(
        path=op.rest.path,
        http_method="GET",
        operation_id=op.name,
        name=op.name,
        summary=op.title,
        description=op.description,
        tags=[op.rest.tag],
        status_code=200,
        media_type=EVENT_STREAM,
        responses=dict(sorted(specs.items())),
        security=BEARER_SECURITY,
    )(handle)


class ClosingEvents:
    """The stream's events; the consumer is closed even when the response never starts
    sending them (a client gone before the first byte never runs the generator's cleanup)."""

    def __init__(self, events: AsyncIterator[ServerSentEventMessage], consumer: Consumer[Any]):
        self._events = events
        self._consumer = consumer

    def __aiter__(self) -> ClosingEvents:
        return self

    async def __anext__(self) -> ServerSentEventMessage:
        return await self._events.__anext__()

    def __del__(self) -> None:
        self._consumer.close()  # idempotent: usually the generator closed it already


# Events that were waiting when a stream woke up go out in one write, up to this many.
BATCH = 64
SEP = "\r\n"  # Litestar's SSE line separator


class EncodedItems:
    """The JSON of the latest items, made once for every stream that sends them: a quote
    pushed to a hundred readers is stamped and encoded once, not a hundred times."""

    def __init__(self, stamp: Callable[[Any], Any], size: int = 1024) -> None:
        self._stamp = stamp
        self._size = size
        self._cache: OrderedDict[int, tuple[Any, str]] = OrderedDict()

    def __call__(self, item: Any) -> str:
        hit = self._cache.get(id(item))
        if hit is not None and hit[0] is item:
            return hit[1]
        text = _json(self._stamp(item))
        self._cache[id(item)] = (item, text)  # the item is held: its id is not reused
        if len(self._cache) > self._size:
            self._cache.popitem(last=False)
        return text


@dataclass
class Framed(ServerSentEventMessage):
    """Events already framed as SSE text (Litestar sends what ``encode`` returns)."""

    raw: bytes = b""

    def encode(self) -> bytes:
        return self.raw


def _frame(seq: int, item: Any, encoded: Callable[[Any], str]) -> str:
    return f"id: {seq}{SEP}event: {event_type(item)}{SEP}data: {encoded(item)}{SEP}{SEP}"


async def sse_events(
    consumer: Consumer[Any],
    encoded: Callable[[Any], str],
    heartbeat: float,
    counter: StreamCounter | None = None,
) -> AsyncIterator[ServerSentEventMessage]:
    """The consumer's events as SSE messages until it ends, or until the client leaves (which
    cancels this generator): either way the consumer is closed. ``encoded`` gives an item's
    JSON (``EncodedItems``, or ``_json`` of the stamped item)."""
    why = "client"
    if counter is not None:
        counter.opened()
    try:
        while True:
            try:
                item = await consumer.next(heartbeat)
            except StreamEnded as ended:
                why = "slow" if ended.slow else "ended"
                end = StreamEnd(reason=ended.reason, code=ended.code)
                yield ServerSentEventMessage(event="end", data=_json(end))
                return
            if item is None:
                yield ServerSentEventMessage(comment="keep-alive")
                continue
            frames = [_frame(consumer.last_read, item, encoded)]
            while len(frames) < BATCH and (more := consumer.take()) is not None:
                frames.append(_frame(consumer.last_read, more, encoded))
            yield Framed(raw="".join(frames).encode())
    finally:
        consumer.close()
        if counter is not None:
            counter.closed(why)


@dataclass(frozen=True, slots=True)
class StreamCounter:
    """Counts a stream open while it runs, and why it ended (client, slow, ended)."""

    operation: str
    metrics: ServiceMetrics

    def opened(self) -> None:
        self.metrics.open_streams.labels(self.operation).inc()

    def closed(self, why: str) -> None:
        self.metrics.open_streams.labels(self.operation).dec()
        self.metrics.streams_ended.labels(self.operation, why).inc()


def _json(value: Any) -> str:
    return msgspec.json.encode(value).decode()


def _same(item: Any) -> Any:
    return item

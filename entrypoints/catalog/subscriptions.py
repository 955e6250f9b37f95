"""Cursor subscriptions: live data for callers that cannot hold a stream open (MCP tools).

A subscription keeps the events of one stream (quotes, 5-second bars, depth, tick-by-tick or
account events) in a bounded buffer owned by the caller (its token name; "stdio" over MCP
stdio); ``read_subscription`` returns what arrived after a cursor. Unread subscriptions expire.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from application.services.streams import MAX_STREAM_CONTRACTS
from application.services.subscriptions import (
    KINDS,
    MAX_READ,
    SubscriptionBook,
    SubscriptionInfo,
    SubscriptionRead,
)
from domain.errors import InvalidRequest, NotSupported, SubscriptionNotFound
from entrypoints.catalog.fields import Id
from entrypoints.catalog.live import LIVE_ERRORS, BarSource, DepthRows, TickKind
from entrypoints.catalog.operation import (
    LOCAL_QUERY,
    Call,
    Effect,
    Mcp,
    Nature,
    Operation,
    Rest,
)

KindName = Literal[KINDS]  # type: ignore[valid-type]
# Opens a live upstream at IB (or shares one); repeating it opens a second subscription.
OPEN = Nature(Effect.WRITE, idempotent=False, reaches_ib=True, offered_read_only=True)
# Ends the caller's own subscription; nothing at IB changes but a line that nobody reads.
CLOSE = Nature(Effect.WRITE, idempotent=False, reaches_ib=False, offered_read_only=True)
PATH = "/ibkr/subscriptions"
TAG = "subscriptions"
SubscriptionId = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=64,
        description="The subscription's id, as open_subscription answered it",
        examples=["sub-1-9f3a2c1b"],
    ),
]


def book(call: Call) -> SubscriptionBook:
    subscriptions = call.services.subscriptions
    if subscriptions is None:
        raise NotSupported(
            "Subscriptions need a broker with a live feed, which this service was started without"
        )
    return subscriptions


class OpenInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    kind: Annotated[
        KindName,
        Meta(
            description="quotes (of contract_ids), bars (5-second bars), depth (order book), "
            "ticks (tick-by-tick) of one contract id, or account (order status, fills, "
            "positions and account values; no contract)",
            examples=["quotes"],
        ),
    ]
    contract_ids: Annotated[
        list[Id],
        Meta(
            max_length=MAX_STREAM_CONTRACTS,
            description="IB contract ids (conIds): one or more for quotes, exactly one for "
            "bars, depth and ticks, none for account",
            examples=[[265598]],
        ),
    ] = msgspec.field(default_factory=list)
    what_to_show: BarSource = "TRADES"
    rows: DepthRows = 10
    tick_kind: TickKind = "Last"


class ReadInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    subscription_id: SubscriptionId
    cursor: Annotated[
        int,
        Meta(
            ge=0,
            description="The cursor the previous read answered (0 at first): events up to it "
            "are acknowledged and forgotten, later ones are returned",
            examples=[0],
        ),
    ] = 0
    limit: Annotated[
        int,
        Meta(ge=1, le=MAX_READ, description=f"At most this many events, 1 to {MAX_READ}"),
    ] = 100


class SubscriptionRef(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    subscription_id: SubscriptionId


async def _open(q: OpenInput, call: Call) -> SubscriptionInfo:
    return await book(call).open(
        q.kind, call.caller.name, contract_ids=q.contract_ids, what_to_show=q.what_to_show,
        rows=q.rows, tick_kind=q.tick_kind,
    )  # fmt: skip


async def _read(q: ReadInput, call: Call) -> SubscriptionRead:
    return book(call).read(q.subscription_id, call.caller.name, q.cursor, q.limit)


async def _close(q: SubscriptionRef, call: Call) -> SubscriptionInfo:
    return book(call).close(q.subscription_id, call.caller.name)


async def _list(_: None, call: Call) -> list[SubscriptionInfo]:
    return book(call).list(call.caller.name)


OPERATIONS = (
    Operation(
        name="open_subscription",
        title="Open a live data subscription",
        description="""Start collecting live events (quotes, 5-second bars, order book, tick-by-tick prints or account events) to read later with read_subscription.

Answers the subscription_id and how many events its buffer holds. Events wait in that buffer
(the oldest are overwritten when it is full, and the next read says how many were lost). A
subscription nobody reads for expires_after_idle_seconds is closed. Close it with
close_subscription when done: each holds a market data line, and a caller may hold only a
few streams at once.""",
        input=OpenInput,
        output=SubscriptionInfo,
        nature=OPEN,
        errors=(InvalidRequest, *LIVE_ERRORS),
        call=_open,
        rest=Rest(PATH, tag=TAG),
    ),
    Operation(
        name="read_subscription",
        title="Read a subscription's events",
        description="""The events a subscription collected after cursor, oldest first; pass the returned cursor to the next read.

Each event has seq (its cursor), type (quote, bar, depth, tick, order_status, execution,
position, account_value, or stale/fresh notices when data stops or flows again) and data.
lost counts events overwritten before they were read; ended says why the subscription
ended (it is then closed).""",
        input=ReadInput,
        output=SubscriptionRead,
        nature=LOCAL_QUERY,
        errors=(NotSupported, SubscriptionNotFound),
        call=_read,
        rest=Rest(PATH + "/{subscription_id}", tag=TAG),
    ),
    Operation(
        name="close_subscription",
        title="Close a subscription",
        description="Stop a subscription and free what it holds; answers what it was.",
        input=SubscriptionRef,
        output=SubscriptionInfo,
        nature=CLOSE,
        errors=(NotSupported, SubscriptionNotFound),
        call=_close,
        rest=Rest(PATH + "/{subscription_id}", tag=TAG, method="DELETE"),
    ),
    Operation(
        name="list_subscriptions",
        title="List subscriptions",
        description="The caller's open subscriptions: id, kind, contracts and buffer size.",
        input=None,
        output=list[SubscriptionInfo],
        nature=LOCAL_QUERY,
        errors=(NotSupported,),
        call=_list,
        rest=Rest(PATH, tag=TAG),
        mcp=Mcp(list_key="subscriptions"),
    ),
)

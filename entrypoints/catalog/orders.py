"""Order operations: preview, place, cancel, one order's status, open orders, the audit trail.

Every order action goes through the order desk (policy, guardrails, previews, audit trail),
as the caller the door names.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
import msgspec.structs
from msgspec import Meta

from application.services.order_desk import MAX_AUDIT_ENTRIES
from domain.errors import (
    AmbiguousContract,
    AuditUnavailable,
    ContractNotFound,
    IdempotencyConflict,
    IdempotencyInProgress,
    InvalidRequest,
    JournalUnavailable,
    OrderNotFound,
    OrderRejected,
    RateLimited,
    ReadOnly,
)
from domain.orders import CancelResult, OpenOrder, OrderRequest, OrderResult
from domain.safety import AuditEntry, OrderPreview
from entrypoints.catalog.details import DETAILS
from entrypoints.catalog.fields import (
    AccountId,
    Action,
    ContractId,
    Currency,
    Exchange,
    Expiry,
    Multiplier,
    OrderId,
    OrderType,
    Positive,
    PrimaryExchange,
    Right,
    SecType,
    Strike,
    Symbol,
    TimeInForce,
    TradingClass,
)
from entrypoints.catalog.operation import (
    BROKER_ERRORS,
    CANCEL,
    LOCAL_QUERY,
    ORDER,
    PREVIEW,
    QUERY,
    Call,
    Extra,
    Mcp,
    Operation,
    Paging,
    Rest,
)
from entrypoints.catalog.order_terms import (
    AlgoInput,
    LimitOffset,
    RelOffset,
    TrailingAmount,
    TrailingPercent,
    TrailStopPrice,
    TriggerPrice,
)
from entrypoints.catalog.paging import cursor_extra, limit_extra

KEY_PATTERN = r"^[A-Za-z0-9._:-]+$"
KEY_FORMAT = "1-40 letters, digits and . _ : -"
GoodTill = Annotated[str, Meta(max_length=48)]

# ~545 bytes an order: 32 are ~17.5 KB.
OPEN_ORDERS = Paging(
    key=lambda o: o.perm_id or f"{o.client_id}:{o.order_id}",
    mcp_default=32,
    maximum=1000,
    what="open orders",
)


class OrderInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An order: the instrument (by contract_id, or by symbol and friends), side, quantity,
    type, prices and time in force. The same fields as the domain's OrderRequest."""

    action: Action
    quantity: Annotated[
        float,
        Meta(
            gt=0,
            le=1e9,
            description="Shares or contracts: a multiple of size_increment (get_contract_details; "
            "else whole units), at least min_size",
            examples=[10],
        ),
    ]
    order_type: OrderType = "MKT"
    contract_id: ContractId = None
    symbol: Symbol = None
    sec_type: SecType = None
    exchange: Exchange = None
    primary_exchange: PrimaryExchange = None
    currency: Currency = None
    last_trade_date_or_contract_month: Expiry = None
    strike: Strike = None
    right: Right = None
    multiplier: Multiplier = None
    trading_class: TradingClass = None
    limit_price: Annotated[
        Positive | None,
        Meta(
            description="Limit price (REL, MIDPRICE: a cap; TRAIL LIMIT: the first limit)"
            f"{DETAILS}For LMT, STP LMT, LOC and LIT; the optional cap of REL and MIDPRICE; "
            "TRAIL LIMIT's initial limit (instead of limit_offset). In the contract's currency",
            examples=[150.25],
        ),
    ] = None
    stop_price: Annotated[
        Positive | None,
        Meta(description="STP, STP LMT: the trigger price"),
    ] = None
    trigger_price: TriggerPrice = None
    trailing_amount: TrailingAmount = None
    trailing_percent: TrailingPercent = None
    trail_stop_price: TrailStopPrice = None
    limit_offset: LimitOffset = None
    offset: RelOffset = None
    algo: AlgoInput = None
    time_in_force: TimeInForce = "DAY"
    tif: Annotated[
        GoodTill | None,
        Meta(
            description="Old name of good_till_date (which wins)"
            f"{DETAILS}Applied to GTD orders only",
            examples=["20261231 23:59:59"],
        ),
    ] = None
    good_till_date: Annotated[
        GoodTill | None,
        Meta(
            description="GTD expiry, 'YYYYMMDD HH:MM:SS' and a time zone if any, e.g. "
            "'20261231 16:00:00 US/Eastern'",
            examples=["20261231 16:00:00 US/Eastern"],
        ),
    ] = None
    outside_rth: Annotated[bool, Meta(description="May fill outside regular trading hours")] = False
    transmit: Annotated[bool, Meta(description="false stages it in TWS, unsent")] = True
    client_order_id: Annotated[
        Annotated[str, Meta(min_length=1, max_length=40, pattern=KEY_PATTERN)] | None,
        Meta(
            description="Idempotency key (1-40 of A-Z a-z 0-9 . _ : -), new per order: a retry "
            "with it answers the first order, never places another"
            f"{DETAILS}The same key with a different order is refused. Set a new one per "
            "order, so that a retry after a timeout cannot double it",
            examples=["rebalance-2026-02-13-1"],
            extra={"format": KEY_FORMAT},
        ),
    ] = None
    account_id: AccountId = None

    def order(self) -> OrderRequest:
        """The domain's order (its rules run here: prices per type, good-till dates, ...)."""
        return OrderRequest(**msgspec.structs.asdict(self))


class OrderIdInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    order_id: OrderId


class AuditInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    limit: Annotated[
        int,
        Meta(
            ge=1,
            le=MAX_AUDIT_ENTRIES,
            description=f"How many of the latest entries, 1-{MAX_AUDIT_ENTRIES}",
            examples=[20],
        ),
    ] = 100


CONFIRMATION_TOKEN = Extra(
    "confirmation_token",
    Annotated[
        Annotated[str, Meta(min_length=1, max_length=256)] | None,
        Meta(
            description="preview_order's token for exactly this order (single use); required "
            "when previews are: by default on MCP, always on live accounts"
            f"{DETAILS}The token is valid for a short time",
        ),
    ],
    header="Confirmation-Token",
    mcp=True,
)
# MCP callers give the same key as client_order_id.
IDEMPOTENCY_KEY = Extra(
    "idempotency_key",
    Annotated[
        Annotated[str, Meta(min_length=1, max_length=40, pattern=KEY_PATTERN)] | None,
        Meta(
            description="Optional key (1-40 letters, digits, . _ : -) that makes retries safe: a "
            "second request with the same key answers the first order instead of placing "
            "another; the same key with a different order is refused (409 "
            "idempotency_conflict). Same meaning as client_order_id in the body",
            examples=["rebalance-2026-03-02-aapl"],
            extra={"format": KEY_FORMAT},
        ),
    ],
    header="Idempotency-Key",
)
ORDER_ERRORS = (
    InvalidRequest,
    ReadOnly,
    ContractNotFound,
    AmbiguousContract,
    IdempotencyConflict,
    IdempotencyInProgress,
    OrderRejected,
    RateLimited,
    AuditUnavailable,
    JournalUnavailable,
    *BROKER_ERRORS,
)


async def _place(order: OrderInput, call: Call) -> OrderResult:
    return await call.services.desk.place(
        order.order(),
        call.caller,
        idempotency_key=call.extras.get("idempotency_key"),
        confirmation_token=call.extras.get("confirmation_token"),
    )


async def _preview(order: OrderInput, call: Call) -> OrderPreview:
    return await call.services.desk.preview(order.order(), call.caller)


async def _cancel(target: OrderIdInput, call: Call) -> CancelResult:
    return await call.services.desk.cancel(target.order_id, call.caller)


OPERATIONS = (
    Operation(
        name="preview_order",
        title="Preview an order (what-if)",
        description="""Ask IB what an order would cost, WITHOUT placing it: commission, margin change, warning, and a single-use confirmation_token. Once whoever decides agrees, place the identical order with it; a changed order needs a new preview.

Details: Takes exactly the order of place_order. The commission comes with its range and
currency; the change is that of initial and maintenance margin and of equity with loan value;
the warning is IB's. Show the cost and margin impact to whoever decides. The token is valid
until expires_at; over REST it goes in place_order's Confirmation-Token header. The
operator's guardrails apply here too.""",
        input=OrderInput,
        output=OrderPreview,
        nature=PREVIEW,
        errors=ORDER_ERRORS,
        call=_preview,
        rest=Rest("/ibkr/orders/preview", tag="orders", method="POST"),
        mcp=Mcp(same_input_as="place_order"),
    ),
    Operation(
        name="place_order",
        title="Place an order",
        description="""Place a REAL order on the IB account; answers once IB acknowledged or rejected it (order id, status, fills).

Check the account, the position and a quote first; set client_order_id so that a retry cannot
place it twice. When previews are required, preview_order the same order first and give its
confirmation_token. The operator's guardrails apply; a live account needs
--allow-live-trading.

Details: The guardrails limit quantity, value, security types, symbols and orders per minute.
The answer holds the order id, its status (Submitted, PreSubmitted, Filled, ...),
filled and remaining quantity, fill prices, and warnings about fields IB will ignore. Name the
instrument by contract_id, or by symbol and the fields that tell it apart (options also need
expiry, strike and right); an ambiguous instrument is refused with the candidates listed. The
order_type field says which terms each type needs; a missing term is refused naming them. A
rejected order answers with IB's error code and text. A guardrail violation names its rule
and limit, and nothing reaches IB. A read-only service refuses.""",
        input=OrderInput,
        output=OrderResult,
        nature=ORDER,
        errors=ORDER_ERRORS,
        call=_place,
        rest=Rest("/ibkr/orders/place", tag="orders"),
        extras=(IDEMPOTENCY_KEY, CONFIRMATION_TOKEN),
    ),
    Operation(
        name="cancel_order",
        title="Cancel an order",
        description="""Cancel a working order; answers its new status (cancelling twice is harmless).

Details: The status is Cancelled, or the order's final state when it had already filled or
been cancelled. An unknown order id is order_not_found; get_open_orders lists the ids of the
working orders. A read-only service refuses.""",
        input=OrderIdInput,
        output=CancelResult,
        nature=CANCEL,
        errors=(InvalidRequest, ReadOnly, OrderNotFound, AuditUnavailable, *BROKER_ERRORS),
        call=_cancel,
        rest=Rest("/ibkr/orders/{order_id}", tag="orders", method="DELETE"),
    ),
    Operation(
        name="get_order_status",
        title="Order status",
        description="""One order's current state (place_order's answer), by order_id: this session's orders, open ones, today's fills.

Details: Status (Submitted, PreSubmitted, Filled, Cancelled, ...), filled and remaining
quantity, fill prices, IB's permanent id and the client_order_id it was placed with. An
unknown id is order_not_found.""",
        input=OrderIdInput,
        output=OrderResult,
        nature=QUERY,
        errors=(InvalidRequest, OrderNotFound, *BROKER_ERRORS),
        call=lambda q, c: c.services.trading.order_status(q.order_id),
        rest=Rest("/ibkr/orders/{order_id}", tag="orders"),
    ),
    Operation(
        name="get_open_orders",
        title="Open orders",
        description="""Orders still working at the broker, with ids, terms, status and fills. Look here before placing (to avoid duplicates) and for ids to cancel.

Details: Working or waiting: not filled, not cancelled. Each gives the instrument, side, type,
quantity, prices, time in force, status, how much has filled so far and the client_order_id
it was placed with.""",
        input=None,
        output=list[OpenOrder],
        nature=QUERY,
        errors=BROKER_ERRORS,
        call=lambda _, c: c.services.trading.open_orders(),
        rest=Rest("/ibkr/orders/open", tag="orders"),
        mcp=Mcp(list_key="open_orders"),
        extras=(limit_extra(OPEN_ORDERS), cursor_extra()),
        paging=OPEN_ORDERS,
    ),
    Operation(
        name="get_order_audit",
        title="Order audit trail",
        description="""The latest order actions, newest first: previews, placements, cancels and refusals (action refusal, the rule in error). Check it before acting again.

Details: The refusals are the requests this service refused. Each entry names the caller (a
token's name, never the token), the transport (rest, mcp, stdio), the request, the result or
error, and IB's order id.""",
        input=AuditInput,
        output=list[AuditEntry],
        nature=LOCAL_QUERY,
        errors=(InvalidRequest, AuditUnavailable),
        call=lambda q, c: c.services.desk.recent_audit(q.limit),
        rest=Rest("/ibkr/orders/audit", tag="orders"),
        mcp=Mcp(list_key="entries"),
    ),
)

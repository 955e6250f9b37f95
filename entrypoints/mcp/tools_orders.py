"""Order tools: preview, place, cancel, list open orders, read the audit trail.

Every order action goes through the order desk (policy, guardrails, previews, audit trail)
as the caller the request came from (``entrypoints/mcp/caller.py``).
"""

import inspect
from collections.abc import Callable
from typing import Annotated, Any

import msgspec
from mcp.types import ToolAnnotations
from pydantic import Field

from application.container import Services
from application.services.order_desk import MAX_AUDIT_ENTRIES
from domain.orders import MAX_ORDER_ID, CancelResult, OrderRequest, OrderResult
from domain.safety import OrderPreview
from entrypoints.mcp.caller import mcp_caller
from entrypoints.mcp.params import (
    AccountId,
    ActionName,
    ContractId,
    Currency,
    Exchange,
    Expiry,
    Multiplier,
    OrderTypeName,
    PrimaryExchange,
    Right,
    SecType,
    Strike,
    Symbol,
    TimeInForceName,
    TradingClass,
)
from entrypoints.mcp.schemas import AuditTrail, OpenOrderList
from entrypoints.mcp.toolkit import READ_BROKER, READ_LOCAL, ibkr_tool, to_result

PLACE = ToolAnnotations(
    read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=True
)
# A what-if places and changes nothing at IB; it is a request to IB, counted against
# --max-previews-per-minute, and left out in read-only mode with the other order tools.
PREVIEW = ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=False, open_world_hint=True
)
CANCEL = ToolAnnotations(
    read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=True
)

GoodTill = Annotated[
    str | None,
    Field(
        description="GTD orders only: expiry of the order as 'YYYYMMDD HH:MM:SS', optionally "
        "followed by a time zone, e.g. '20261231 16:00:00 US/Eastern'",
        max_length=48,
    ),
]


ConfirmationToken = Annotated[
    str | None,
    Field(
        description="The confirmation_token preview_order returned for exactly this order "
        "(single use, expires after a short time). Required when the service requires "
        "previews, which it does for agents by default and always on live accounts",
        min_length=1,
        max_length=256,
    ),
]


def order_tools(services: Services, *, read_only: bool = False) -> list[Callable[..., Any]]:
    """The order tools; ``read_only`` leaves out those that change anything."""
    trading, desk = services.trading, services.desk

    async def place_order(
        action: Annotated[ActionName, Field(description="BUY or SELL")],
        quantity: Annotated[
            float,
            Field(
                gt=0,
                strict=True,
                description="Number of shares or contracts, a number (not a string): a positive "
                "multiple of the contract's size_increment (get_contract_details; whole units "
                "when it has none), at least its min_size",
            ),
        ],
        order_type: Annotated[
            OrderTypeName,
            Field(
                description="MKT market; LMT limit (needs limit_price); STP stop (needs "
                "stop_price); STP LMT stop-limit (needs stop_price and limit_price)"
            ),
        ] = "MKT",
        contract_id: ContractId = None,
        symbol: Symbol = None,
        sec_type: SecType = None,
        exchange: Exchange = None,
        primary_exchange: PrimaryExchange = None,
        currency: Currency = None,
        last_trade_date_or_contract_month: Expiry = None,
        strike: Strike = None,
        right: Right = None,
        multiplier: Multiplier = None,
        trading_class: TradingClass = None,
        limit_price: Annotated[
            float | None,
            Field(
                gt=0,
                strict=True,
                description="Limit price for LMT and STP LMT, in the contract's currency",
            ),
        ] = None,
        stop_price: Annotated[
            float | None,
            Field(
                gt=0,
                strict=True,
                description="Trigger price for STP and STP LMT, in the contract's currency",
            ),
        ] = None,
        time_in_force: Annotated[
            TimeInForceName,
            Field(
                description="DAY (until the close), GTC (until cancelled), IOC (fill what is "
                "possible now, cancel the rest), GTD (until good_till_date)"
            ),
        ] = "DAY",
        tif: Annotated[
            str | None,
            Field(
                description="Same as good_till_date (the name the API contract uses); "
                "good_till_date wins when both are given",
                max_length=48,
            ),
        ] = None,
        good_till_date: GoodTill = None,
        outside_rth: Annotated[
            bool, Field(description="Allow the order to fill outside regular trading hours")
        ] = False,
        transmit: Annotated[
            bool,
            Field(description="false stages the order in TWS without sending it to the market"),
        ] = True,
        client_order_id: Annotated[
            str | None,
            Field(
                description="Your idempotency key (1-40 letters, digits, . _ : -). Retrying "
                "with the same key and the same order returns the first order instead of "
                "placing a second one; the same key with a different order is refused. Always "
                "set a new one per order so that a retry after a timeout cannot double it",
                min_length=1,
                max_length=40,
                pattern=r"^[A-Za-z0-9._:-]+$",
            ),
        ] = None,
        account_id: AccountId = None,
        confirmation_token: ConfirmationToken = None,
    ) -> dict[str, Any]:
        """Place a REAL order on the IB account and return once IB acknowledged or rejected it:
        order id, status (Submitted, PreSubmitted, Filled, ...), filled and remaining quantity,
        fill prices, and warnings about ignored fields.

        Name the contract by contract_id (best), or by symbol with sec_type (default STK),
        exchange (default SMART for STK and OPT; give it for FUT, IND, CASH) and currency;
        options also need expiry, strike and right.
        Check the account, position and a market data snapshot first, and set
        client_order_id. An ambiguous contract is refused with the candidates listed.

        Previews: unless the operator switched them off, first call preview_order with the
        same arguments, show the user the commission and margin impact, then call place_order
        with identical arguments plus the confirmation_token it returned. The operator's
        guardrails (quantity, value, security types, symbols, orders per minute) refuse an
        order whole, naming the rule; nothing reaches IB then."""
        # The parameters are OrderRequest's fields (tests/mcp/test_catalog.py checks) + token.
        given = locals()
        order = order_from(given)
        return to_result(
            await desk.place(order, mcp_caller(), confirmation_token=confirmation_token)
        )

    async def cancel_order(
        order_id: Annotated[
            int,
            Field(
                ge=1,
                le=MAX_ORDER_ID,
                description="The order's id, from place_order or get_open_orders",
            ),
        ],
    ) -> dict[str, Any]:
        """Cancel a working order; returns its status (Cancelled, or its final state when it
        had already filled or been cancelled) and a message. Cancelling twice is harmless.

        Use get_open_orders to find the order id."""
        return to_result(await desk.cancel(order_id, mcp_caller()))

    @ibkr_tool(annotations=READ_BROKER, output=OpenOrderList, title="Open orders")
    async def get_open_orders() -> dict[str, Any]:
        """Orders still working or waiting at the broker (not filled, not cancelled): id,
        contract, side, type, quantity, prices, time in force, status, filled and remaining
        quantity, and the client_order_id they were placed with.

        Use it before placing an order (to avoid duplicates) and to find ids to cancel."""
        orders = await trading.open_orders()
        return to_result(OpenOrderList(open_orders=orders, count=len(orders)))

    async def preview_order(**arguments: Any) -> dict[str, Any]:
        """Ask IB what an order would cost, WITHOUT placing it: commission (with its range
        and currency), the change of initial and maintenance margin and of equity with loan
        value, IB's warning text, and a single-use confirmation_token valid until expires_at.

        Takes exactly the arguments of place_order (but confirmation_token). Show the user the
        cost and margin impact; once they agree, call place_order with the identical arguments
        plus confirmation_token. Any change to the order needs a new preview."""
        order = order_from(arguments)
        return to_result(await desk.preview(order, mcp_caller()))

    # Same order fields as place_order, one definition: the schemas cannot drift apart.
    preview_order.__signature__ = order_parameters(  # type: ignore[attr-defined]
        place_order, drop=("confirmation_token",)
    )
    preview_order.__annotations__ = {
        name: p.annotation
        for name, p in preview_order.__signature__.parameters.items()  # type: ignore[attr-defined]
    } | {"return": dict[str, Any]}

    @ibkr_tool(annotations=READ_LOCAL, output=AuditTrail, title="Order audit trail")
    async def get_order_audit(
        limit: Annotated[
            int,
            Field(ge=1, le=MAX_AUDIT_ENTRIES, description="How many of the latest entries"),
        ] = 100,
    ) -> dict[str, Any]:
        """The latest order actions, newest first: previews, placements, cancels, and requests
        this service refused (action refusal, with the rule in error). Each names the caller
        (a token name, never a token), the transport, the request, the result or error, and
        IB's order id. Use it to check what was already done before acting again."""
        entries = await desk.recent_audit(limit)
        return to_result(AuditTrail(entries=entries, count=len(entries)))

    tools: list[Callable[..., Any]] = [get_open_orders, get_order_audit]
    if not read_only:
        tools += [
            ibkr_tool(annotations=PREVIEW, output=OrderPreview, title="Preview an order")(
                preview_order
            ),
            ibkr_tool(annotations=PLACE, output=OrderResult, title="Place an order")(place_order),
            ibkr_tool(annotations=CANCEL, output=CancelResult, title="Cancel an order")(
                cancel_order
            ),
        ]
    return tools


def order_from(arguments: dict[str, Any]) -> OrderRequest:
    """The OrderRequest in a tool's arguments (the unset ones left to the defaults)."""
    fields = {
        k: arguments[k] for k in OrderRequest.__struct_fields__ if arguments.get(k) is not None
    }
    return msgspec.convert(fields, OrderRequest)


def order_parameters(template: Callable[..., Any], *, drop: tuple[str, ...]) -> inspect.Signature:
    """``template``'s parameters without ``drop``: another tool taking the same order fields."""
    signature = inspect.signature(template)
    kept = [p for name, p in signature.parameters.items() if name not in drop]
    return signature.replace(parameters=kept)

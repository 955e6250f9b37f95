"""Order tools: place, cancel, list open orders."""

from collections.abc import Callable
from typing import Annotated, Any

import msgspec
from mcp.types import ToolAnnotations
from pydantic import Field

from application.container import Services
from domain.orders import CancelResult, OrderRequest, OrderResult
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
from entrypoints.mcp.schemas import OpenOrderList
from entrypoints.mcp.toolkit import READ_BROKER, ibkr_tool, to_result

PLACE = ToolAnnotations(
    read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=True
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


def order_tools(services: Services) -> list[Callable[..., Any]]:
    trading = services.trading

    @ibkr_tool(annotations=PLACE, output=OrderResult, title="Place an order")
    async def place_order(
        action: Annotated[ActionName, Field(description="BUY or SELL")],
        quantity: Annotated[float, Field(gt=0, description="Number of shares or contracts, > 0")],
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
            Field(gt=0, description="Limit price for LMT and STP LMT, in the contract's currency"),
        ] = None,
        stop_price: Annotated[
            float | None,
            Field(
                gt=0, description="Trigger price for STP and STP LMT, in the contract's currency"
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
                "with the same key returns the first order instead of placing a second one. "
                "Always set one so that a retry after a timeout cannot double the order",
                min_length=1,
                max_length=40,
                pattern=r"^[A-Za-z0-9._:-]+$",
            ),
        ] = None,
        account_id: AccountId = None,
    ) -> dict[str, Any]:
        """Place a REAL order on the IB account and return once IB acknowledged or rejected it:
        order id, status (Submitted, PreSubmitted, Filled, ...), filled and remaining quantity,
        fill prices, and warnings about ignored fields.

        Name the contract by contract_id (best), or by symbol with sec_type (default STK),
        exchange (default SMART) and currency; options also need expiry, strike and right.
        Check the account, position and a market data snapshot first, and set
        client_order_id. An ambiguous contract is refused with the candidates listed."""
        # The parameters are exactly OrderRequest's fields (tests/mcp/test_catalog.py checks).
        given = locals()
        fields = {k: given[k] for k in OrderRequest.__struct_fields__ if given.get(k) is not None}
        order = msgspec.convert(fields, OrderRequest)
        return to_result(await trading.place(order))

    @ibkr_tool(annotations=CANCEL, output=CancelResult, title="Cancel an order")
    async def cancel_order(
        order_id: Annotated[
            int,
            Field(gt=0, description="The order's id, from place_order or get_open_orders"),
        ],
    ) -> dict[str, Any]:
        """Cancel a working order; returns its status (Cancelled, or its final state when it
        had already filled or been cancelled) and a message. Cancelling twice is harmless.

        Use get_open_orders to find the order id."""
        return to_result(await trading.cancel(order_id))

    @ibkr_tool(annotations=READ_BROKER, output=OpenOrderList, title="Open orders")
    async def get_open_orders() -> dict[str, Any]:
        """Orders still working or waiting at the broker (not filled, not cancelled): id,
        contract, side, type, quantity, prices, time in force, status, filled and remaining
        quantity, and the client_order_id they were placed with.

        Use it before placing an order (to avoid duplicates) and to find ids to cancel."""
        orders = await trading.open_orders()
        return to_result(OpenOrderList(open_orders=orders, count=len(orders)))

    return [place_order, cancel_order, get_open_orders]

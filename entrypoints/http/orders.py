"""REST endpoints for orders: place, cancel, list the working ones."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import HeaderParameter, JSONBody, PathParameter

from application.services.trading import TradingService
from domain.orders import CancelResult, OpenOrder, OrderRequest, OrderResult
from entrypoints.http.errors import responses
from entrypoints.http.params import MAX_ID


class OrdersController(Controller):
    path = "/ibkr/orders"
    tags = ["orders"]

    @post(
        "/place",
        operation_id="place_order",
        summary="Place an order",
        status_code=200,
        responses=responses(400, 403, 404, 409, 422, 429, 503, 504),
    )
    async def place(
        self,
        trading_service: NamedDependency[TradingService],
        data: JSONBody[OrderRequest],
        idempotency_key: Annotated[
            str | None,
            HeaderParameter(
                name="Idempotency-Key",
                description=(
                    "Optional key (1-40 letters, digits, . _ : -) that makes retries safe: a "
                    "second request with the same key returns the first order instead of "
                    "placing another. Same meaning as client_order_id in the body."
                ),
            ),
        ] = None,
    ) -> OrderResult:
        """Send an order to Interactive Brokers and return its state once the broker answered.

        Name the instrument by ``contract_id`` (IB's numeric id, see /ibkr/contract_details)
        or by ``symbol`` with ``sec_type``, ``exchange`` and ``currency``. ``action`` is BUY or
        SELL; ``order_type`` is MKT (market), LMT (limit: needs ``limit_price``), STP (stop:
        needs ``stop_price``) or STP LMT (needs both). ``time_in_force`` is DAY, GTC (good till
        cancelled), IOC (immediate or cancel) or GTD (good till date: needs ``good_till_date``
        or ``tif`` as 'YYYYMMDD HH:MM:SS'). Fields the broker will ignore are listed in
        ``warnings``. A rejected order answers 422 with IB's error code and text.
        """
        return await trading_service.place(data, idempotency_key)

    @delete(
        "/{order_id:str}",
        operation_id="cancel_order",
        summary="Cancel an order",
        status_code=200,
        responses=responses(400, 403, 404, 503, 504),
    )
    async def cancel(
        self,
        trading_service: NamedDependency[TradingService],
        order_id: Annotated[
            int,
            PathParameter(ge=1, le=MAX_ID, description="The order_id returned when it was placed"),
        ],
    ) -> CancelResult:
        """Ask the broker to cancel a working order.

        Answers with the order's new status (Cancelled), or its final status when it had
        already filled or been cancelled. An unknown order id answers 404.
        """
        return await trading_service.cancel(order_id)

    @get(
        "/open",
        operation_id="get_open_orders",
        summary="Open orders",
        responses=responses(503, 504),
    )
    async def open_orders(
        self, trading_service: NamedDependency[TradingService]
    ) -> list[OpenOrder]:
        """Orders that are still working or waiting at the broker, oldest first.

        Each entry gives the instrument, side, type, prices, time in force, and how much has
        filled so far. Filled and cancelled orders are not listed.
        """
        return await trading_service.open_orders()

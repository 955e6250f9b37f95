"""REST endpoints for orders: preview, place, cancel, list the working ones, the audit trail.

Every order action goes through the order desk, which applies the operator's rules and
records the action in the audit trail (with the caller's token name) before answering.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency
from litestar.params import HeaderParameter, JSONBody, PathParameter, QueryParameter

from application.services.order_desk import MAX_AUDIT_ENTRIES, OrderDesk
from application.services.trading import TradingService
from domain.orders import MAX_ORDER_ID, CancelResult, OpenOrder, OrderRequest, OrderResult
from domain.safety import AuditEntry, Caller, OrderPreview
from entrypoints.http.errors import responses
from entrypoints.http.guard import caller_name
from entrypoints.http.strict_body import StrictBody

AnyRequest = Request[Any, Any, Any]


def rest_caller(request: AnyRequest) -> Caller:
    return Caller(name=caller_name(request.scope), transport="rest")


class OrdersController(Controller):
    path = "/ibkr/orders"
    tags = ["orders"]

    @post(
        "/place",
        operation_id="place_order",
        summary="Place an order",
        status_code=200,
        dto=StrictBody[OrderRequest],
        return_dto=None,
        responses=responses(400, 403, 404, 409, 422, 429, 503, 504),
    )
    async def place(
        self,
        request: AnyRequest,
        order_desk: NamedDependency[OrderDesk],
        data: JSONBody[OrderRequest],
        idempotency_key: Annotated[
            str | None,
            HeaderParameter(
                name="Idempotency-Key",
                description=(
                    "Optional key (1-40 letters, digits, . _ : -) that makes retries safe: a "
                    "second request with the same key returns the first order instead of "
                    "placing another; the same key with a different order is refused (409 "
                    "idempotency_conflict). Same meaning as client_order_id in the body."
                ),
            ),
        ] = None,
        confirmation_token: Annotated[
            str | None,
            HeaderParameter(
                name="Confirmation-Token",
                max_length=256,
                description=(
                    "The confirmation_token from POST /ibkr/orders/preview of this exact order. "
                    "Required when the service requires previews (always on live accounts); "
                    "single use, valid for a short time."
                ),
            ),
        ] = None,
    ) -> OrderResult:
        """Send an order to Interactive Brokers and return its state once the broker answered.

        Name the instrument by ``contract_id`` (IB's numeric id, see /ibkr/contract_details)
        or by ``symbol`` with ``sec_type``, ``exchange`` and ``currency``. ``action`` is BUY or
        SELL; ``order_type`` is MKT (market), LMT (limit: needs ``limit_price``), STP (stop:
        needs ``stop_price``) or STP LMT (needs both). ``quantity`` is a JSON number: a
        positive multiple of the contract's ``size_increment`` (see /ibkr/contract_details;
        whole shares or contracts when it has none), at least its ``min_size``; anything else
        answers 400. ``time_in_force`` is DAY, GTC (good till
        cancelled), IOC (immediate or cancel) or GTD (good till date: needs ``good_till_date``
        or ``tif`` as 'YYYYMMDD HH:MM:SS'). Fields the broker will ignore are listed in
        ``warnings``. A rejected order answers 422 with IB's error code and text.

        The operator's guardrails (quantity, value, security types, symbols, orders per
        minute) are checked first: a violation answers 422 with the ``rule`` it broke and its
        ``limit``, and nothing reaches IB. When previews are required, send the
        ``Confirmation-Token`` from POST /ibkr/orders/preview of the identical order. A
        read-only service, or a live account without --allow-live-trading, answers 403.
        """
        return await order_desk.place(
            data,
            rest_caller(request),
            idempotency_key=idempotency_key,
            confirmation_token=confirmation_token,
        )

    @post(
        "/preview",
        operation_id="preview_order",
        summary="Preview an order (what-if)",
        status_code=200,
        dto=StrictBody[OrderRequest],
        return_dto=None,
        responses=responses(400, 403, 404, 409, 422, 429, 503, 504),
    )
    async def preview(
        self,
        request: AnyRequest,
        order_desk: NamedDependency[OrderDesk],
        data: JSONBody[OrderRequest],
    ) -> OrderPreview:
        """Ask IB what the order would cost and do to the margin, without placing it.

        Takes the same body as /ibkr/orders/place. Answers with the commission (and its
        range), the change of initial and maintenance margin and of equity with loan value,
        IB's warning text if any, and a single-use ``confirmation_token`` that expires at
        ``expires_at``: place the identical order with it (header Confirmation-Token) to
        confirm. The guardrails apply here too.
        """
        return await order_desk.preview(data, rest_caller(request))

    @delete(
        "/{order_id:str}",
        operation_id="cancel_order",
        summary="Cancel an order",
        status_code=200,
        responses=responses(400, 403, 404, 503, 504),
    )
    async def cancel(
        self,
        request: AnyRequest,
        order_desk: NamedDependency[OrderDesk],
        order_id: Annotated[
            int,
            PathParameter(
                ge=1,
                le=MAX_ORDER_ID,
                description="The order_id returned when it was placed (IB ids: 1 to 2147483646)",
            ),
        ],
    ) -> CancelResult:
        """Ask the broker to cancel a working order.

        Answers with the order's new status (Cancelled), or its final status when it had
        already filled or been cancelled. An unknown order id answers 404; a read-only
        service answers 403.
        """
        return await order_desk.cancel(order_id, rest_caller(request))

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

    @get(
        "/audit",
        operation_id="get_order_audit",
        summary="Order audit trail",
        responses=responses(400, 503),
    )
    async def audit(
        self,
        order_desk: NamedDependency[OrderDesk],
        limit: Annotated[
            int,
            QueryParameter(
                ge=1,
                le=MAX_AUDIT_ENTRIES,
                description=f"How many of the latest entries, 1-{MAX_AUDIT_ENTRIES}",
            ),
        ] = 100,
    ) -> list[AuditEntry]:
        """The latest order actions, newest first: previews, placements, cancels, and the
        requests this service refused (``action`` refusal, with the rule in ``error``).

        Each entry names the caller (the token's name, never the token), the transport
        (rest, mcp, stdio), the request, the result or error, and IB's order id.
        """
        return await order_desk.recent_audit(limit)

"""Modifying a working order: new quantity, prices or time in force, through the order desk."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from domain.errors import (
    AuditUnavailable,
    ContractNotFound,
    InvalidRequest,
    OrderNotFound,
    OrderRejected,
    ReadOnly,
)
from domain.order_change import OrderChange
from domain.orders import OrderResult
from entrypoints.catalog.fields import (
    OrderId,
    Positive,
    TimeInForceName,
    normalize,
    upper_words,
)
from entrypoints.catalog.operation import BROKER_ERRORS, MODIFY, Call, Operation, Rest
from entrypoints.catalog.orders import CONFIRMATION_TOKEN, GoodTill


class ModifyInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The order to change and its new terms; a field left out keeps its value."""

    order_id: OrderId
    quantity: Annotated[
        Annotated[float, Meta(gt=0, le=1e9)] | None,
        Meta(
            description="New total quantity (what has filled counts toward it), a JSON number",
            examples=[20],
        ),
    ] = None
    limit_price: Annotated[
        Positive | None,
        Meta(description="New limit price (LMT and STP LMT orders)", examples=[151.5]),
    ] = None
    stop_price: Annotated[
        Positive | None,
        Meta(description="New trigger price (STP and STP LMT orders)", examples=[140.0]),
    ] = None
    time_in_force: Annotated[
        TimeInForceName | None,
        Meta(
            description="New time in force: DAY, GTC, IOC or GTD (GTD needs good_till_date "
            "unless the order already has one)",
            examples=["GTC"],
            extra=normalize(upper_words),
        ),
    ] = None
    good_till_date: Annotated[
        GoodTill | None,
        Meta(
            description="GTD orders: new expiry as 'YYYYMMDD HH:MM:SS', optionally followed by "
            "a time zone",
            examples=["20261231 16:00:00 US/Eastern"],
        ),
    ] = None

    def change(self) -> OrderChange:
        return OrderChange(
            quantity=self.quantity,
            limit_price=self.limit_price,
            stop_price=self.stop_price,
            time_in_force=self.time_in_force,
            good_till_date=self.good_till_date,
        )


async def _modify(target: ModifyInput, call: Call) -> OrderResult:
    return await call.services.desk.modify(
        target.order_id,
        target.change(),
        call.caller,
        confirmation_token=call.extras.get("confirmation_token"),
    )


OPERATIONS = (
    Operation(
        name="modify_order",
        title="Modify an order",
        description="""Change a working order of this service: quantity, limit price, stop price or time in force; answers with the state IB confirmed.

The order keeps its id, instrument, side and type; fields left out keep their values (at least
one is needed). The answer holds the terms' effect as IB reported it (status, filled and
remaining quantity). The operator's guardrails apply to the order as it stands after the
change, exactly as to a new order (a change that raises the order's value above the cap is
refused). When previews are required, preview the changed order (preview_order with its
contract_id, side, type and the new values) and give its confirmation_token. An unknown
order id is order_not_found; a filled or cancelled order, or a change IB refuses, is
order_rejected (a refused change leaves the order working with its old terms). A read-only
service refuses.""",
        input=ModifyInput,
        output=OrderResult,
        nature=MODIFY,
        errors=(
            InvalidRequest,
            ReadOnly,
            OrderNotFound,
            OrderRejected,
            ContractNotFound,
            AuditUnavailable,
            *BROKER_ERRORS,
        ),
        call=_modify,
        rest=Rest("/ibkr/orders/{order_id}", tag="orders", method="PATCH"),
        extras=(CONFIRMATION_TOKEN,),
    ),
)

"""One-cancels-all groups of any orders (place_oca_orders)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from domain.brackets import MAX_GROUP_KEY, OcaRequest, OcaResult
from domain.errors import InvalidConfirmation, PreviewRequired
from entrypoints.catalog.operation import ORDER, Call, Extra, Operation, Rest, offered
from entrypoints.catalog.orders import KEY_FORMAT, KEY_PATTERN, ORDER_ERRORS, OrderInput


class OcaInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    orders: Annotated[
        list[OrderInput],
        Meta(min_length=2, max_length=10,
             description="2 to 10 orders, each as place_order takes it (without client_order_id)"),
    ]  # fmt: skip
    oca_type: Annotated[
        Literal[1, 2, 3],
        Meta(description="What a fill does to the others: 1 cancels them (with block), 2 "
             "reduces their quantity by the filled quantity (with block), 3 reduces them "
             "without block"),
    ] = 1  # fmt: skip
    oca_group: Annotated[
        Annotated[str, Meta(min_length=1, max_length=64, pattern=KEY_PATTERN)] | None,
        Meta(description="The group's name at IB (default: oca:<client_order_id>, or random)"),
    ] = None
    client_order_id: Annotated[
        Annotated[str, Meta(min_length=1, max_length=MAX_GROUP_KEY, pattern=KEY_PATTERN)] | None,
        Meta(description="Idempotency key for the whole group (the orders carry key:1, key:2, "
             "...): a retry answers the group already placed", extra={"format": KEY_FORMAT}),
    ] = None  # fmt: skip

    def group(self) -> OcaRequest:
        return OcaRequest(
            orders=[o.order() for o in self.orders],
            oca_type=self.oca_type,
            oca_group=self.oca_group,
            client_order_id=self.client_order_id,
        )


CONFIRMATION_TOKENS = Extra(
    "confirmation_tokens",
    Annotated[
        Annotated[str, Meta(min_length=1, max_length=2048)] | None,
        Meta(
            description="When previews are required: the confirmation_token preview_order "
            "gave for each order, comma-separated, in the group's order"
        ),
    ],
    header="Confirmation-Tokens",
    mcp=True,
)


async def _place(body: OcaInput, call: Call) -> OcaResult:
    oca = offered(call.services.oca, "OCA groups")
    given = call.extras.get("confirmation_tokens") or ""
    tokens = [t.strip() for t in given.split(",") if t.strip()]
    return await oca.place(body.group(), call.caller, confirmation_tokens=tokens)


OPERATIONS = (
    Operation(
        name="place_oca_orders",
        title="Place a one-cancels-all group",
        description="""Place REAL orders as one one-cancels-all (OCA) group: when one fills, IB cancels the others (oca_type 1) or reduces them by the filled quantity (2, 3).

Each order is given as place_order takes it and checked against every guardrail. Answers the
orders as IB acknowledged them, with the group's name. Set client_order_id: a retry answers
the group already placed. When previews are required, preview each order with preview_order
and give the tokens in confirmation_tokens, in order.""",
        input=OcaInput,
        output=OcaResult,
        nature=ORDER,
        errors=(*ORDER_ERRORS, PreviewRequired, InvalidConfirmation),
        call=_place,
        rest=Rest("/ibkr/orders/oca", tag="orders"),
        extras=(CONFIRMATION_TOKENS,),
    ),
)

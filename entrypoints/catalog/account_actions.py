"""Account-wide order actions: cancel every open order (IB's global cancel)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from application.services.account_actions import AccountActions
from domain.account_actions import CancelAllResult
from domain.errors import AuditUnavailable, InvalidRequest, OpenOrdersChanged, ReadOnly
from entrypoints.catalog.operation import BROKER_ERRORS, CANCEL, Call, Operation, Rest, offered


class CancelAllInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    confirm: Annotated[
        bool,
        Meta(
            description="Must be true: every open order of the account is cancelled, those "
            "of other programs and of TWS included",
            examples=[True],
        ),
    ]
    expected_perm_ids: Annotated[
        Annotated[list[Annotated[int, Meta(ge=1, le=2**63 - 1)]], Meta(max_length=1000)] | None,
        Meta(
            description="The perm_id of each open order you saw (get_open_orders): if any "
            "other order is open now, nothing is cancelled (409 open_orders_changed names it)",
            examples=[[1804473297, 1804473298]],
        ),
    ] = None


def actions(call: Call) -> AccountActions:
    return offered(call.services.account_actions, "cancel all")


async def _cancel_all(body: CancelAllInput, call: Call) -> CancelAllResult:
    # A person's yes over MCP elicitation stands for the orders the question listed.
    expected = call.extras.get("shown_orders", body.expected_perm_ids)
    return await actions(call).cancel_all(call.caller, confirm=body.confirm, expected=expected)


OPERATIONS = (
    Operation(
        name="cancel_all_orders",
        title="Cancel every open order",
        description="""Cancel EVERY open order of the account (IB's global cancel); answers what was cancelled.

Not only this service's orders: those of every other program connected to the account and of
TWS are cancelled too. Needs confirm: true. Answers each order that was open before (id,
instrument, side, quantity, prices, status then) with its final_status (Cancelled, or Filled
when it filled first) and complete: whether all of them are over. Look at get_open_orders
first and pass their perm ids as expected_perm_ids; to cancel one order use cancel_order. A
read-only service refuses.""",
        input=CancelAllInput,
        output=CancelAllResult,
        nature=CANCEL,
        errors=(InvalidRequest, OpenOrdersChanged, ReadOnly, AuditUnavailable, *BROKER_ERRORS),
        call=_cancel_all,
        rest=Rest("/ibkr/orders/cancel_all", tag="orders"),
    ),
)

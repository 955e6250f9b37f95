"""Exercising an option position, or letting it lapse (IB's exerciseOptions)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from application.services.option_exercise import OptionExercise
from domain.errors import (
    AuditUnavailable,
    ContractNotFound,
    IdempotencyConflict,
    IdempotencyInProgress,
    InvalidRequest,
    OrderRejected,
    RateLimited,
    ReadOnly,
)
from domain.exercise import ExerciseAction, ExerciseRequest, ExerciseResult
from entrypoints.catalog.operation import BROKER_ERRORS, ORDER, Call, Operation, Rest, offered
from entrypoints.catalog.orders import KEY_FORMAT, KEY_PATTERN


class ExerciseInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    contract_id: Annotated[
        int,
        Meta(
            gt=0,
            description="IB's contract id of the option (get_positions lists it)",
            examples=[850000123],
        ),
    ]
    action: Annotated[
        ExerciseAction,
        Meta(
            description="exercise: buy (call) or sell (put) the underlying at the strike; "
            "lapse: let the contracts expire worthless",
            examples=["exercise"],
        ),
    ]
    quantity: Annotated[
        int,
        Meta(
            gt=0,
            description="Whole contracts, at most the long position held",
            examples=[1],
        ),
    ]
    confirm: Annotated[
        bool,
        Meta(
            description="Must be true: an exercise trades the underlying at the strike "
            "(100 shares per equity option contract)",
            examples=[True],
        ),
    ]
    account_id: Annotated[
        str | None,
        Meta(description="The account holding the option (default: the only one)"),
    ] = None
    override: Annotated[
        bool,
        Meta(
            description="IB's override: act against IB's automatic action at expiry "
            "(exercise out of the money, or lapse in the money)",
        ),
    ] = False
    client_order_id: Annotated[
        Annotated[str, Meta(min_length=1, max_length=40, pattern=KEY_PATTERN)] | None,
        Meta(
            description="Your idempotency key (1-40 letters, digits, . _ : -): a retry with it "
            "answers the first instruction (duplicate: true) instead of exercising again; the "
            "same key with other terms is refused. Set one, so that a retry after a timeout "
            "cannot exercise twice",
            examples=["roll-2026-12-03-1"],
            extra={"format": KEY_FORMAT},
        ),
    ] = None

    def request(self) -> ExerciseRequest:
        return ExerciseRequest(
            contract_id=self.contract_id,
            action=self.action,
            quantity=self.quantity,
            account_id=self.account_id,
            override=self.override,
            client_order_id=self.client_order_id,
        )


def exercises(call: Call) -> OptionExercise:
    return offered(call.services.exercise, "option exercise")


async def _exercise(body: ExerciseInput, call: Call) -> ExerciseResult:
    return await exercises(call).exercise(body.request(), call.caller, confirm=body.confirm)


OPERATIONS = (
    Operation(
        name="exercise_option",
        title="Exercise an option or let it lapse",
        description="""Exercise a long option position, or let it lapse (IB's exerciseOptions); answers what IB did to the positions.

Exercising a call buys the underlying at the strike, a put sells it: quantity x multiplier
shares (100 per US equity option), paid or credited in cash. A lapse gives the contracts up
for nothing. Needs confirm: true. Answers status done with the option position before and
after and every position of the account in that symbol (the delivered stock among them), or
status submitted when IB took the instruction but has not changed the positions yet (real
IB processes exercises after the close). IB refuses a contract that is not an option, more
contracts than the long position, and expired options. A read-only service refuses.""",
        input=ExerciseInput,
        output=ExerciseResult,
        nature=ORDER,
        errors=(
            InvalidRequest,
            IdempotencyConflict,
            IdempotencyInProgress,
            ReadOnly,
            ContractNotFound,
            OrderRejected,
            RateLimited,
            AuditUnavailable,
            *BROKER_ERRORS,
        ),
        call=_exercise,
        rest=Rest("/ibkr/options/exercise", tag="orders"),
    ),
)

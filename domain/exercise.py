"""Exercising an option, or letting it lapse: the instruction and what IB did with it."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from domain.account import Position

ExerciseAction = Literal["exercise", "lapse"]
# done: IB changed the positions; submitted: IB took the instruction without an error but
# the positions had not changed by the time of the answer (real IB exercises overnight).
ExerciseStatus = Literal["done", "submitted"]


class ExerciseRequest(msgspec.Struct, frozen=True, kw_only=True):
    """Exercise ``quantity`` contracts of a long option position, or let them lapse."""

    contract_id: Annotated[int, Meta(gt=0)]
    action: ExerciseAction
    quantity: Annotated[int, Meta(gt=0)]
    account_id: str | None = None
    # IB's override: act against IB's natural action at expiry (exercise out of the money,
    # lapse in the money).
    override: bool = False
    # Idempotency key: a retry with it answers the first instruction instead of a second one.
    client_order_id: str | None = None


class ExerciseResult(msgspec.Struct, frozen=True, kw_only=True):
    """What IB reported after the instruction: the positions in the option's symbol."""

    contract_id: int
    symbol: str
    account_id: str
    action: ExerciseAction
    # The contracts IB took off the option position (0 while the instruction is pending).
    quantity: float
    status: ExerciseStatus
    message: str
    position_before: float
    # The option position after (0: gone).
    position_after: float
    # Every position of the account in the option's symbol as IB reported it afterwards:
    # the underlying delivered (or taken) by an exercise is among them.
    positions_after: list[Position]
    client_order_id: str | UnsetType = UNSET
    # True when an earlier request with the same client_order_id already gave this answer.
    duplicate: bool | UnsetType = UNSET

"""The broker's side of orders that belong together, and of account-wide order actions.

Kept apart from ``ports.Broker`` so that a broker without them still is a ``Broker``; the
IB adapter (and the test fake) implement both.
"""

from __future__ import annotations

from typing import Protocol

from domain.brackets import GroupLeg
from domain.contract import Contract
from domain.exercise import ExerciseAction, ExerciseResult
from domain.orders import OrderResult


class OrderGroupBroker(Protocol):
    async def place_group(self, legs: list[tuple[Contract, GroupLeg]]) -> list[OrderResult]:
        """Place the legs in order (a leg's ``parent`` names an earlier leg, its OCA group is
        set as given) and answer each once IB acknowledged it. When IB refuses a leg, the legs
        placed before it are cancelled and the refusal raised (``OrderRejected``)."""
        ...

    async def global_cancel(self) -> None:
        """IB's reqGlobalCancel: cancel every open order of the account, of every client."""
        ...


class ExerciseBroker(Protocol):
    async def exercise_option(
        self,
        contract: Contract,
        action: ExerciseAction,
        quantity: int,
        account_id: str,
        override: bool,
    ) -> ExerciseResult:
        """IB's exerciseOptions for a long option position of ``account_id``: answers once IB
        changed the positions, or refused (a domain error), or with status ``submitted`` when
        neither happened within the request time limit (IB may process it overnight)."""
        ...

"""The fake broker's side of order groups (``application.group_ports.OrderGroupBroker``)."""

from __future__ import annotations

from typing import Any

import msgspec.structs

from domain.brackets import GroupLeg
from domain.contract import Contract
from domain.errors import NotConnected, OrderRejected
from domain.exercise import ExerciseAction, ExerciseResult
from domain.orders import OrderResult


class FakeGroups:
    """Places each leg through the fake's ``place_order``; children of a working parent are
    held (PreSubmitted), as IB does. ``reject_leg`` makes IB refuse the leg of that index."""

    orders: dict[int, OrderResult]
    reject_leg: int | None = None
    group_calls: int = 0
    global_cancels: int = 0
    exercises: list[tuple[int, str, int, str, bool]]

    async def place_group(self, legs: list[tuple[Contract, GroupLeg]]) -> list[OrderResult]:
        self.group_calls += 1
        results: list[OrderResult] = []
        fake: Any = self
        for index, (contract, leg) in enumerate(legs):
            if index == getattr(self, "drop_after_leg", None) and results:
                dropped = NotConnected("Not connected to the IB Gateway (fake drop)")
                dropped.details["order_id"] = results[0].order_id  # part of it was sent
                raise dropped
            if index == self.reject_leg:
                for placed in results:
                    self.orders[placed.order_id] = msgspec.structs.replace(
                        placed, status="Cancelled"
                    )
                raise OrderRejected("Order rejected - reason: fake", ib_code=201)
            result = await fake.place_order(contract, leg.order)
            if leg.parent is not None and results[leg.parent].status != "Filled":
                result = msgspec.structs.replace(result, status="PreSubmitted")
                self.orders[result.order_id] = result
            results.append(result)
        return results

    async def global_cancel(self) -> None:
        self.global_cancels += 1
        for order_id, result in list(self.orders.items()):
            if not result.is_final:
                self.orders[order_id] = msgspec.structs.replace(result, status="Cancelled")

    async def exercise_option(
        self,
        contract: Contract,
        action: ExerciseAction,
        quantity: int,
        account_id: str,
        override: bool,
    ) -> ExerciseResult:
        """Takes the contracts off at once (``exercises`` records each instruction)."""
        if not hasattr(self, "exercises"):
            self.exercises = []
        self.exercises.append((contract.con_id, action, quantity, account_id, override))
        return ExerciseResult(
            contract_id=contract.con_id, symbol=contract.symbol, account_id=account_id,
            action=action, quantity=quantity, status="done", message="fake",
            position_before=quantity, position_after=0, positions_after=[],
        )  # fmt: skip

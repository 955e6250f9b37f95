"""Exercising a long option position, or letting it lapse, through the order desk.

IB has no order for this: ``exerciseOptions`` is an instruction about a position. It goes
through the same desk as orders (read-only refusal, guardrails, audit trail as ``exercise``)
and needs ``confirm: true``, since an exercise buys (call) or sells (put) the underlying at
the strike: a large trade in one call.
"""

from __future__ import annotations

from typing import Any

import msgspec

from application.group_ports import ExerciseBroker
from application.ports import Broker
from application.services.contracts import ContractService
from application.services.guardrails import OrderGuard
from application.services.order_desk import OrderDesk, Outcome
from domain.contract import ContractQuery
from domain.errors import InvalidRequest
from domain.exercise import ExerciseRequest, ExerciseResult
from domain.safety import Caller


class OptionExercise:
    def __init__(
        self,
        *,
        desk: OrderDesk,
        broker: Broker,
        exercises: ExerciseBroker,
        contracts: ContractService,
        guard: OrderGuard,
    ) -> None:
        self._desk = desk
        self._broker = broker
        self._exercises = exercises
        self._contracts = contracts
        self._guard = guard

    async def exercise(
        self, request: ExerciseRequest, caller: Caller, *, confirm: bool
    ) -> ExerciseResult:
        """Exercise (or let lapse) ``request.quantity`` contracts of a long option position;
        answers the positions IB reported afterwards. ``confirm`` must be True."""

        async def work(outcome: Outcome) -> ExerciseResult:
            self._guard.check_writable()
            if not confirm:
                raise InvalidRequest(
                    f"To {request.action} {request.quantity} option contract(s) "
                    f"({request.contract_id}) send confirm: true",
                    field="confirm",
                )
            contract = await self._contracts.resolve(ContractQuery(con_id=request.contract_id))
            await self._guard.check_exercise(contract, request.quantity)
            account = await self._broker.order_account(request.account_id)
            self._guard.take_slot()
            outcome.checking = False
            result = await self._exercises.exercise_option(
                contract, request.action, request.quantity, account, request.override
            )
            outcome.result = msgspec.to_builtins(result)
            return result

        audit: dict[str, Any] = {"exercise": msgspec.to_builtins(request), "confirm": confirm}
        return await self._desk.audited(caller, "exercise", audit, work)

"""Exercising a long option position, or letting it lapse, through the order desk.

IB has no order for this: ``exerciseOptions`` is an instruction about a position. It goes
through the same desk as orders (read-only refusal, guardrails, audit trail as ``exercise``)
and needs ``confirm: true``, since an exercise buys (call) or sells (put) the underlying at
the strike: a large trade in one call.

With a ``client_order_id`` it is idempotent like an order, through the same journal (keys
prefixed ``exercise:``): the key is claimed before anything is sent, a retry with it answers
the recorded result (``duplicate``), the same key with other terms is refused, and a key
whose instruction may have reached IB without its answer being recorded is never sent again
(IB has no way to look an exercise up by key): the positions tell.
"""

from __future__ import annotations

import contextlib
import socket
import uuid
from datetime import timedelta
from typing import Any

import msgspec

from application.group_ports import ExerciseBroker
from application.ports import Broker, Clock, OrderJournal
from application.services.contracts import ContractService
from application.services.guardrails import OrderGuard
from application.services.order_desk import OrderDesk, Outcome
from domain.contract import ContractQuery
from domain.errors import (
    DomainError,
    IdempotencyConflict,
    IdempotencyInProgress,
    InvalidRequest,
    OrderRejected,
)
from domain.exercise import ExerciseRequest, ExerciseResult
from domain.journal import JournalRecord, changed_terms
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
        journal: OrderJournal,
        clock: Clock,
        pending_timeout: float = 60.0,
    ) -> None:
        self._desk = desk
        self._broker = broker
        self._exercises = exercises
        self._contracts = contracts
        self._guard = guard
        self._journal = journal
        self._clock = clock
        self._pending_timeout = pending_timeout
        self._owner = f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"

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
            record = None
            if request.client_order_id:
                record, recorded = await self._claim(account, request)
                if recorded is not None:
                    outcome.result = msgspec.to_builtins(recorded)
                    return recorded
            slot = self._guard.take_slot()
            outcome.checking = False
            try:
                result = await self._exercises.exercise_option(
                    contract, request.action, request.quantity, account, request.override
                )
            except DomainError as exc:
                refused = isinstance(exc, OrderRejected | InvalidRequest)
                if refused or exc.details.get("sent") is False:
                    # IB refused it, or it never left: nothing happened, the key is free
                    self._guard.release(slot)
                    if record is not None:
                        await self._save_quietly(record, state="failed", status=exc.code)
                raise
            if request.client_order_id:
                result = msgspec.structs.replace(result, client_order_id=request.client_order_id)
            if record is not None:
                await self._journal.save(self._update(
                    record, state="sent", status=result.status,
                    result=msgspec.to_builtins(result),
                ))  # fmt: skip
            outcome.result = msgspec.to_builtins(result)
            return result

        audit: dict[str, Any] = {"exercise": msgspec.to_builtins(request), "confirm": confirm}
        return await self._desk.audited(caller, "exercise", audit, work)

    async def _claim(
        self, account: str, request: ExerciseRequest
    ) -> tuple[JournalRecord, ExerciseResult | None]:
        """Claim the key; the recorded answer when a retry repeats an instruction sent."""
        key = f"exercise:{request.client_order_id}"
        terms: dict[str, Any] = msgspec.to_builtins(request)
        terms.pop("client_order_id", None)
        terms["account_id"] = account
        now = self._clock.now()
        stale_before = now - timedelta(seconds=self._pending_timeout)
        seen: list[tuple[JournalRecord | None, JournalRecord | None]] = []

        def decide(existing: JournalRecord | None) -> JournalRecord | None:
            made = None
            if existing is None or existing.state == "failed":
                attempt = existing.attempt + 1 if existing is not None else 1
                made = JournalRecord(account=account, key=key, terms=terms, state="pending",
                                     owner=self._owner, attempt=attempt, created_at=now,
                                     updated_at=now)  # fmt: skip
            seen[:] = [(existing, made)]
            return made

        await self._journal.claim(account, key, decide)
        existing, made = seen[-1]
        if made is not None:
            return made, None
        assert existing is not None  # nothing made: there was a record
        changed = changed_terms(existing.terms, terms)
        if changed:
            raise IdempotencyConflict(
                f"client_order_id {request.client_order_id!r} already gave an instruction "
                f"with other terms ({', '.join(changed)}); nothing new was sent. Use a new key "
                "for a new instruction",
                field="client_order_id",
                fields=changed,
            )
        if existing.state == "sent" and existing.result is not None:
            first = msgspec.convert(existing.result, ExerciseResult)
            return existing, msgspec.structs.replace(first, duplicate=True)
        # pending: being sent now, or sent without its answer recorded (a timeout, a crash)
        fresh = existing.updated_at >= stale_before
        raise IdempotencyInProgress(
            f"The instruction under client_order_id {request.client_order_id!r} "
            + ("is being sent right now; retry in a moment to get its answer" if fresh else
               "may have reached IB, but its answer was never recorded; nothing is sent again "
               "under this key: check get_positions, and use a new key to act again"),
        )  # fmt: skip

    def _update(self, record: JournalRecord, **changes: Any) -> JournalRecord:
        return msgspec.structs.replace(record, updated_at=self._clock.now(), **changes)

    async def _save_quietly(self, record: JournalRecord, **changes: Any) -> None:
        with contextlib.suppress(DomainError):
            await self._journal.save(self._update(record, **changes))

"""Exercising options through the desk: read-only, confirm, guardrails, audit trail."""

from __future__ import annotations

import msgspec
import pytest

from application.container import build_services
from application.services.order_journal import MemoryOrderJournal
from domain.errors import (
    GuardrailViolation,
    IdempotencyConflict,
    IdempotencyInProgress,
    InvalidRequest,
    OrderRejected,
    ReadOnly,
)
from domain.exercise import ExerciseRequest
from domain.journal import JournalRecord
from domain.safety import Caller, TradingPolicy
from tests import contract_examples as ex
from tests.fakes import FakeBroker, FakeClock, FakeGateway

CALLER = Caller(name="ops", transport="rest")
OPTION = 123456789  # the contract's CCJ 120 call
REQUEST = ExerciseRequest(contract_id=OPTION, action="exercise", quantity=2)


def _services(broker: FakeBroker, gateway: FakeGateway, clock: FakeClock, **policy: object):
    ex.seed(broker, gateway)
    return build_services(broker, gateway, clock, policy=TradingPolicy(**policy))  # type: ignore[arg-type]


async def test_an_exercise_is_sent_and_audited(broker, gateway, clock) -> None:
    services = _services(broker, gateway, clock)
    assert services.exercise is not None
    result = await services.exercise.exercise(REQUEST, CALLER, confirm=True)
    assert (result.status, result.contract_id, result.quantity) == ("done", OPTION, 2)
    assert broker.exercises == [(OPTION, "exercise", 2, "DU1234567", False)]
    (entry,) = await services.desk.recent_audit(1)
    assert (entry.action, entry.operation, entry.error) == ("exercise", "exercise", None)
    assert entry.request["exercise"]["quantity"] == 2 and entry.result["status"] == "done"


async def test_without_confirm_nothing_is_sent(broker, gateway, clock) -> None:
    services = _services(broker, gateway, clock)
    assert services.exercise is not None
    with pytest.raises(InvalidRequest) as refused:
        await services.exercise.exercise(REQUEST, CALLER, confirm=False)
    assert refused.value.details["field"] == "confirm"
    assert not getattr(broker, "exercises", [])
    (entry,) = await services.desk.recent_audit(1)
    assert entry.operation == "exercise" and entry.error.code == "invalid_request"


async def test_read_only_refuses_and_records_a_refusal(broker, gateway, clock) -> None:
    services = _services(broker, gateway, clock, read_only=True)
    assert services.exercise is not None
    with pytest.raises(ReadOnly):
        await services.exercise.exercise(REQUEST, CALLER, confirm=True)
    assert not getattr(broker, "exercises", [])
    (entry,) = await services.desk.recent_audit(1)
    assert (entry.action, entry.operation) == ("refusal", "exercise")


@pytest.mark.parametrize(
    ("policy", "rule"),
    [
        ({"allowed_symbols": frozenset({"AAPL"})}, "allowed_symbols"),
        ({"allowed_sec_types": frozenset({"STK"})}, "allowed_sec_types"),
        ({"max_order_quantity": 1}, "max_order_quantity"),
    ],
)
async def test_the_guardrails_apply(broker, gateway, clock, policy, rule) -> None:
    services = _services(broker, gateway, clock, **policy)
    assert services.exercise is not None
    with pytest.raises(GuardrailViolation) as refused:
        await services.exercise.exercise(REQUEST, CALLER, confirm=True)
    assert refused.value.details["rule"] == rule
    assert not getattr(broker, "exercises", [])
    (entry,) = await services.desk.recent_audit(1)
    assert entry.action == "refusal"


async def test_a_retry_with_the_same_key_answers_the_first_instruction(broker, gateway, clock):
    services = _services(broker, gateway, clock)
    assert services.exercise is not None
    keyed = msgspec.structs.replace(REQUEST, client_order_id="ex-1")
    first = await services.exercise.exercise(keyed, CALLER, confirm=True)
    again = await services.exercise.exercise(keyed, CALLER, confirm=True)
    assert len(broker.exercises) == 1  # exercised once
    assert first.duplicate is msgspec.UNSET and again.duplicate is True
    assert (again.client_order_id, again.quantity, again.status) == ("ex-1", 2, "done")
    other = msgspec.structs.replace(keyed, quantity=1)
    with pytest.raises(IdempotencyConflict) as conflict:
        await services.exercise.exercise(other, CALLER, confirm=True)
    assert conflict.value.details["fields"] == ["quantity"] and len(broker.exercises) == 1


async def test_a_refused_instruction_frees_its_key(broker, gateway, clock, monkeypatch):
    services = _services(broker, gateway, clock)
    assert services.exercise is not None
    keyed = msgspec.structs.replace(REQUEST, client_order_id="ex-2")
    original = broker.exercise_option

    async def refuse(*args: object) -> object:
        raise OrderRejected("more contracts than the position (321)", ib_code=321)

    monkeypatch.setattr(broker, "exercise_option", refuse)
    with pytest.raises(OrderRejected):
        await services.exercise.exercise(keyed, CALLER, confirm=True)
    monkeypatch.setattr(broker, "exercise_option", original)
    result = await services.exercise.exercise(keyed, CALLER, confirm=True)
    assert result.status == "done" and len(broker.exercises) == 1


async def test_an_instruction_whose_answer_was_never_recorded_is_not_sent_again(
    broker, gateway, clock
):
    journal = MemoryOrderJournal()
    ex.seed(broker, gateway)
    services = build_services(broker, gateway, clock, journal=journal)
    assert services.exercise is not None
    stuck = JournalRecord(
        account="DU1234567", key="exercise:ex-3", state="pending", owner="gone:1",
        terms={"contract_id": OPTION, "action": "exercise", "quantity": 2,
               "account_id": "DU1234567", "override": False},
        created_at=clock.now(), updated_at=clock.now(),
    )  # fmt: skip
    await journal.claim("DU1234567", "exercise:ex-3", lambda _: stuck)
    clock.advance(3600)
    keyed = msgspec.structs.replace(REQUEST, client_order_id="ex-3")
    with pytest.raises(IdempotencyInProgress, match="never recorded"):
        await services.exercise.exercise(keyed, CALLER, confirm=True)
    assert not getattr(broker, "exercises", [])


async def test_an_instruction_that_never_left_frees_its_key_and_its_slot(
    broker, gateway, clock, monkeypatch
):
    from domain.errors import NotConnected

    services = _services(broker, gateway, clock, max_orders_per_minute=1)
    assert services.exercise is not None
    keyed = msgspec.structs.replace(REQUEST, client_order_id="ex-4")
    original = broker.exercise_option

    async def unsent(*args: object) -> object:
        dropped = NotConnected("Not connected to the IB Gateway")
        dropped.details["sent"] = False
        raise dropped

    monkeypatch.setattr(broker, "exercise_option", unsent)
    with pytest.raises(NotConnected):
        await services.exercise.exercise(keyed, CALLER, confirm=True)
    monkeypatch.setattr(broker, "exercise_option", original)
    # the same key goes through, within the one-per-minute limit
    result = await services.exercise.exercise(keyed, CALLER, confirm=True)
    assert result.status == "done" and len(broker.exercises) == 1

"""Exercising options through the desk: read-only, confirm, guardrails, audit trail."""

from __future__ import annotations

import pytest

from application.container import build_services
from domain.errors import GuardrailViolation, InvalidRequest, ReadOnly
from domain.exercise import ExerciseRequest
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

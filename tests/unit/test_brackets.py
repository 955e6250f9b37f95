"""The bracket decision: legs priced from the entry, idempotent as a unit through the order
journal (also across two service instances sharing it), guardrails on every leg and on the
bracket's value, previews and the audit trail."""

from __future__ import annotations

import pytest

from application.container import Services, build_services
from application.services.order_journal import MemoryOrderJournal
from domain.brackets import BracketRequest, PriceTarget
from domain.errors import (
    GuardrailViolation,
    IdempotencyConflict,
    InvalidConfirmation,
    InvalidRequest,
    NotConnected,
    OrderRejected,
    PreviewRequired,
)
from domain.orders import OrderRequest
from domain.safety import Caller, TradingPolicy
from tests import contract_examples as ex
from tests.fakes import FakeBroker, FakeClock, FakeGateway

REST = Caller(name="ops", transport="rest")
AGENT = Caller(name="agent", transport="mcp")
AAPL = 12345678  # last 155.75 in the example world


def bracket(key: str | None = "b-1", *, tp: float | None = 1.0, limit: float | None = 150.0,
            quantity: float = 100) -> BracketRequest:  # fmt: skip
    entry = OrderRequest(
        action="BUY",
        quantity=quantity,
        order_type="LMT" if limit else "MKT",
        limit_price=limit,
        contract_id=AAPL,
        client_order_id=key,
    )
    return BracketRequest(
        entry=entry,
        take_profit=PriceTarget(percent=tp) if tp else None,
        stop_loss=PriceTarget(percent=1.0),
    )


def services(broker: FakeBroker, *, journal: MemoryOrderJournal | None = None,
             policy: TradingPolicy | None = None) -> Services:  # fmt: skip
    gateway = FakeGateway()
    ex.seed(broker, gateway)
    return build_services(broker, gateway, FakeClock(), journal=journal, policy=policy)


def placed(broker: FakeBroker) -> list[OrderRequest]:
    return [request for _, request in broker.order_requests.values()]


async def test_a_bracket_is_an_entry_with_two_exits_in_one_oca_group() -> None:
    broker = FakeBroker()
    desk = services(broker).groups
    assert desk is not None
    result = await desk.place_bracket(bracket(), REST)
    entry, take_profit, stop_loss = placed(broker)
    assert (entry.action, entry.limit_price, entry.transmit) == ("BUY", 150.0, False)
    assert (take_profit.action, take_profit.order_type, take_profit.limit_price) == (
        "SELL", "LMT", 151.5)  # fmt: skip
    assert (stop_loss.order_type, stop_loss.stop_price, stop_loss.transmit) == ("STP", 148.5, True)
    assert not take_profit.transmit
    assert [o.client_order_id for o in (entry, take_profit, stop_loss)] == [
        "b-1",
        "b-1:tp",
        "b-1:sl",
    ]
    assert result.take_profit is not None
    assert result.take_profit.status == result.stop_loss.status == "PreSubmitted"
    assert result.oca_group == "bracket:b-1" and result.client_order_id == "b-1"


async def test_an_attached_stop_is_a_bracket_without_take_profit() -> None:
    broker = FakeBroker()
    desk = services(broker).groups
    assert desk is not None
    result = await desk.place_bracket(bracket(tp=None), REST)
    assert result.take_profit is None and len(placed(broker)) == 2
    assert placed(broker)[1].transmit is True


async def test_a_market_entry_prices_its_exits_from_the_quote() -> None:
    broker = FakeBroker()
    desk = services(broker).groups
    assert desk is not None
    await desk.place_bracket(bracket(limit=None), REST)
    assert [o.limit_price or o.stop_price for o in placed(broker)[1:]] == [157.31, 154.19]


async def test_a_retried_bracket_answers_the_first_and_sends_nothing() -> None:
    broker = FakeBroker()
    desk = services(broker).groups
    assert desk is not None
    first = await desk.place_bracket(bracket(), REST)
    again = await desk.place_bracket(bracket(), REST)
    assert broker.group_calls == 1 and again.duplicate is True
    assert again.parent.order_id == first.parent.order_id
    assert again.stop_loss.order_id == first.stop_loss.order_id


async def test_a_key_is_one_bracket_also_across_two_services_sharing_the_journal() -> None:
    broker, journal = FakeBroker(), MemoryOrderJournal()
    one = services(broker, journal=journal).groups
    two = build_services(broker, FakeGateway(), FakeClock(), journal=journal).groups
    assert one is not None and two is not None
    first = await one.place_bracket(bracket(), REST)
    again = await two.place_bracket(bracket(), REST)
    assert broker.group_calls == 1 and again.parent.order_id == first.parent.order_id
    with pytest.raises(IdempotencyConflict) as refused:
        await two.place_bracket(bracket(tp=2.0), REST)
    assert refused.value.details["fields"] == ["take_profit"]


async def test_a_refused_bracket_frees_its_key() -> None:
    broker = FakeBroker()
    desk = services(broker).groups
    assert desk is not None
    broker.reject_leg = 2
    with pytest.raises(OrderRejected):
        await desk.place_bracket(bracket(), REST)
    broker.reject_leg = None
    result = await desk.place_bracket(bracket(), REST)
    assert result.duplicate is not True and broker.group_calls == 2


async def test_guardrails_check_every_leg_and_the_entrys_value() -> None:
    broker = FakeBroker()
    # 100 x 150 = 15,000: the entry fits; the take-profit's 15,150 is not the bracket's value
    desk = services(broker, policy=TradingPolicy(max_order_notional=15_100)).groups
    assert desk is not None
    await desk.place_bracket(bracket(), REST)
    with pytest.raises(GuardrailViolation) as refused:
        await desk.place_bracket(bracket("b-2", quantity=101), REST)
    assert refused.value.details["rule"] == "max_order_notional"
    small = services(FakeBroker(), policy=TradingPolicy(max_order_quantity=50)).groups
    assert small is not None
    with pytest.raises(GuardrailViolation):
        await small.place_bracket(bracket(), REST)


async def test_exits_on_the_wrong_side_are_refused() -> None:
    with pytest.raises(InvalidRequest) as refused:
        bracket_with = BracketRequest(entry=bracket().entry, stop_loss=PriceTarget(price=151.0))
        bracket_with.legs(150.0, "x")
    assert refused.value.details["field"] == "stop_loss"
    with pytest.raises(InvalidRequest):
        PriceTarget(price=1.0, percent=1.0)


async def test_agents_preview_the_bracket_and_place_it_with_the_token() -> None:
    broker = FakeBroker()
    desk = services(broker).groups
    assert desk is not None
    with pytest.raises(PreviewRequired):
        await desk.place_bracket(bracket(), AGENT)
    preview = await desk.preview_bracket(bracket(), AGENT)
    assert [leg.role for leg in preview.legs] == ["parent", "take_profit", "stop_loss"]
    assert preview.commission == 1.0 + 1.0  # the entry's and one exit's
    assert preview.init_margin_change == 0.25 * 15_000
    with pytest.raises(InvalidConfirmation):
        await desk.place_bracket(
            bracket(tp=2.0), AGENT, confirmation_token=preview.confirmation_token
        )
    result = await desk.place_bracket(
        bracket(), AGENT, confirmation_token=preview.confirmation_token
    )
    assert result.parent.order_id


async def test_each_step_is_audited() -> None:
    broker = FakeBroker()
    built = services(broker, policy=TradingPolicy(max_order_quantity=500))
    assert built.groups is not None
    await built.groups.preview_bracket(bracket(), REST)
    result = await built.groups.place_bracket(bracket(), REST)
    with pytest.raises(GuardrailViolation):
        await built.groups.place_bracket(bracket("b-big", quantity=1000), REST)
    entries = await built.desk.recent_audit(10)
    assert [(e.action, e.operation) for e in entries] == [
        ("refusal", "place_bracket"),
        ("place_bracket", "place_bracket"),
        ("preview_bracket", "preview_bracket"),
    ]
    assert entries[1].order_id == result.parent.order_id
    assert entries[1].result is not None and entries[1].result["stop_loss"]["order_id"]


async def test_a_group_ib_has_only_part_of_is_cancelled_never_answered_as_placed() -> None:
    from domain.errors import NotConnected

    broker = FakeBroker()
    desk = services(broker).groups
    assert desk is not None
    broker.drop_after_leg = 1  # the connection drops after the entry was sent
    with pytest.raises(NotConnected):
        await desk.place_bracket(bracket(), REST)
    broker.drop_after_leg = None
    (entry_id,) = broker.order_requests
    with pytest.raises(OrderRejected, match="Only part of this group reached IB") as refused:
        await desk.place_bracket(bracket(), REST)  # the retry
    assert broker.group_calls == 1  # nothing sent again
    assert broker.orders[entry_id].status == "Cancelled"  # not left without its stop-loss
    assert refused.value.details["orders"][1]["status"] == "Unknown"


async def test_a_token_covers_the_exit_prices_shown_not_ones_priced_later() -> None:
    import msgspec

    broker = FakeBroker()
    desk = services(broker).groups
    assert desk is not None
    preview = await desk.preview_bracket(bracket(limit=None), AGENT)  # a market entry
    quote = broker.quotes[AAPL]
    broker.quotes[AAPL] = msgspec.structs.replace(quote, last_price=quote.last_price + 5)
    with pytest.raises(InvalidConfirmation):  # exits would be priced 5 higher than shown
        await desk.place_bracket(
            bracket(limit=None), AGENT, confirmation_token=preview.confirmation_token
        )
    assert broker.group_calls == 0


async def test_a_bracket_that_never_left_does_not_use_rate_limit_slots() -> None:
    broker = FakeBroker()
    desk = services(broker, policy=TradingPolicy(max_orders_per_minute=3)).groups
    assert desk is not None
    look_up = broker.find_order

    async def dropped(key: str) -> None:
        raise NotConnected("the session dropped")

    broker.find_order = dropped  # type: ignore[method-assign]
    with pytest.raises(NotConnected):  # its legs' look-up at IB failed: nothing was sent
        await desk.place_bracket(bracket("b-gone"), REST)
    broker.find_order = look_up  # type: ignore[method-assign]
    await desk.place_bracket(bracket("b-sent"), REST)  # three legs: the three slots
    assert broker.group_calls == 1
    with pytest.raises(GuardrailViolation):
        await desk.place_bracket(bracket("b-more"), REST)

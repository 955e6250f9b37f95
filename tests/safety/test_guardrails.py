"""Each guardrail refuses the order whole, names its rule, and nothing reaches IB."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from domain.errors import GuardrailViolation, LiveTradingDisabled, MarketDataUnavailable, ReadOnly
from domain.orders import OrderRequest
from domain.safety import TradingPolicy
from tests.fakes import FakeBroker, FakeClock
from tests.safety.conftest import AAPL, AAPL_CALL, ES, REST, DeskFactory, audit_lines


def buy(symbol: str = "AAPL", quantity: float = 10, **fields: Any) -> OrderRequest:
    return OrderRequest(action="BUY", symbol=symbol, quantity=quantity, **fields)


def sell(symbol: str = "AAPL", quantity: float = 10, **fields: Any) -> OrderRequest:
    return OrderRequest(action="SELL", symbol=symbol, quantity=quantity, **fields)


REFUSED = [
    ("allowed_sec_types", TradingPolicy(allowed_sec_types=frozenset({"stk"})),
     OrderRequest(action="BUY", quantity=1, contract_id=AAPL_CALL.con_id, order_type="LMT",
                  limit_price=5.0)),
    ("allowed_symbols", TradingPolicy(allowed_symbols=frozenset({"MSFT", "SPY"})), buy()),
    ("max_order_quantity", TradingPolicy(max_order_quantity=100), buy(quantity=101)),
    ("max_order_notional", TradingPolicy(max_order_notional=10_000),
     buy(quantity=51, order_type="LMT", limit_price=200.0)),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "policy", "order"), REFUSED, ids=[r[0] for r in REFUSED])
async def test_each_guardrail_refuses_with_its_rule_and_sends_nothing(
    make_desk: DeskFactory,
    broker: FakeBroker,
    audit_path: Path,
    rule: str,
    policy: TradingPolicy,
    order: OrderRequest,
) -> None:
    with pytest.raises(GuardrailViolation) as caught:
        await make_desk(policy).place(order, REST)

    assert caught.value.rule == rule
    assert caught.value.details["rule"] == rule
    assert broker.called("place_order") == []
    [entry] = audit_lines(audit_path)
    assert (entry.action, entry.operation, entry.order_id) == ("refusal", "place", None)
    assert entry.error is not None and entry.error.code == "guardrail_violation"


async def test_limits_are_inclusive(make_desk: DeskFactory, broker: FakeBroker) -> None:
    desk = make_desk(TradingPolicy(max_order_quantity=100, max_order_notional=10_000))
    await desk.place(buy(quantity=50, order_type="LMT", limit_price=200.0), REST)
    await desk.place(buy(quantity=100, order_type="LMT", limit_price=1.0), REST)
    assert len(broker.called("place_order")) == 2


async def test_allow_lists_pass_what_they_name(make_desk: DeskFactory, broker: FakeBroker) -> None:
    policy = TradingPolicy(
        allowed_sec_types=frozenset({"STK"}), allowed_symbols=frozenset({"aapl"})
    )
    await make_desk(policy).place(buy(), REST)
    assert len(broker.called("place_order")) == 1


async def test_option_notional_counts_the_multiplier(make_desk: DeskFactory) -> None:
    order = OrderRequest(  # 21 x 5.0 x 100 = 10,500
        action="BUY", quantity=21, order_type="LMT", limit_price=5.0, contract_id=AAPL_CALL.con_id
    )
    with pytest.raises(GuardrailViolation, match=r"10,500\.00") as caught:
        await make_desk(TradingPolicy(max_order_notional=10_000)).place(order, REST)
    assert caught.value.details["notional"] == pytest.approx(10_500)


async def test_market_notional_uses_ask_to_buy_and_bid_to_sell(
    make_desk: DeskFactory, broker: FakeBroker
) -> None:
    desk = make_desk(TradingPolicy(max_order_notional=10_000))
    with pytest.raises(GuardrailViolation, match="exceeds the maximum"):
        await desk.place(buy(quantity=50), REST)  # 50 x ask 200.1 = 10,005
    await desk.place(sell(quantity=50), REST)  # 50 x bid 199.9 = 9,995
    [(contract, placed)] = broker.called("place_order")
    assert (contract.con_id, placed.action) == (AAPL.con_id, "SELL")


async def test_market_notional_falls_back_to_last(make_desk: DeskFactory) -> None:
    desk = make_desk(TradingPolicy(max_order_notional=100_000))
    with pytest.raises(GuardrailViolation) as caught:  # 1 x 6000 x 50 = 300,000
        await desk.place(OrderRequest(action="BUY", quantity=1, contract_id=ES.con_id), REST)
    assert caught.value.details["notional"] == pytest.approx(300_000)


async def test_stop_order_takes_the_larger_of_stop_and_quote(make_desk: DeskFactory) -> None:
    desk = make_desk(TradingPolicy(max_order_notional=10_000))
    order = buy(quantity=45, order_type="STP", stop_price=230.0)  # 45 x 230 = 10,350 > 45 x 200.1
    with pytest.raises(GuardrailViolation) as caught:
        await desk.place(order, REST)
    assert caught.value.details["notional"] == pytest.approx(10_350)


@pytest.mark.parametrize("no_quote", ["empty", "unavailable"])
async def test_no_price_refuses_a_market_order_only_when_a_notional_cap_is_set(
    make_desk: DeskFactory, broker: FakeBroker, no_quote: str
) -> None:
    if no_quote == "empty":
        del broker.quotes[AAPL.con_id]
    else:
        broker.fail("snapshot", MarketDataUnavailable("no market data permissions"), times=5)
    with pytest.raises(GuardrailViolation, match="No price is available") as caught:
        await make_desk(TradingPolicy(max_order_notional=1e9)).place(buy(), REST)
    assert caught.value.rule == "max_order_notional"
    assert broker.called("place_order") == []
    await make_desk(TradingPolicy()).place(buy(), REST)
    assert len(broker.called("place_order")) == 1


async def test_no_notional_cap_means_no_quote_is_fetched(
    make_desk: DeskFactory, broker: FakeBroker
) -> None:
    await make_desk(TradingPolicy(max_order_quantity=1000)).place(buy(), REST)
    assert broker.called("snapshot") == []


async def test_read_only_refuses_place_preview_and_cancel(
    make_desk: DeskFactory, broker: FakeBroker, audit_path: Path
) -> None:
    desk = make_desk(TradingPolicy(read_only=True))
    with pytest.raises(ReadOnly):
        await desk.place(buy(), REST)
    with pytest.raises(ReadOnly):
        await desk.preview(buy(), REST)
    with pytest.raises(ReadOnly):
        await desk.cancel(1, REST)
    assert not {name for name, _ in broker.calls} & {"place_order", "what_if", "cancel_order"}
    entries = audit_lines(audit_path)
    assert [(e.action, e.operation) for e in entries] == [
        ("refusal", "place"),
        ("refusal", "preview"),
        ("refusal", "cancel"),
    ]
    assert all(e.error is not None and e.error.code == "read_only" for e in entries)


async def test_live_account_refuses_orders_without_the_flag(
    make_desk: DeskFactory, broker: FakeBroker
) -> None:
    broker.account_id = "U7654321"
    with pytest.raises(LiveTradingDisabled, match="--allow-live-trading") as caught:
        await make_desk(TradingPolicy()).place(buy(), REST)
    assert isinstance(caught.value, ReadOnly)  # the front doors answer 403
    assert broker.called("place_order") == []


async def test_live_account_trades_with_the_flag_after_a_preview(
    make_desk: DeskFactory, broker: FakeBroker
) -> None:
    broker.account_id = "U7654321"
    desk = make_desk(TradingPolicy(allow_live_trading=True))
    preview = await desk.preview(buy(), REST)
    result = await desk.place(buy(), REST, confirmation_token=preview.confirmation_token)
    assert result.status == "Filled"
    assert len(broker.called("place_order")) == 1


async def test_live_account_may_cancel_without_the_flag(
    make_desk: DeskFactory, broker: FakeBroker
) -> None:
    order = await make_desk(TradingPolicy()).place(buy(order_type="LMT", limit_price=1.0), REST)
    broker.account_id = "U7654321"
    cancelled = await make_desk(TradingPolicy()).cancel(order.order_id, REST)
    assert cancelled.status == "Cancelled"


async def test_rate_limit_is_a_sliding_window_of_orders_sent(
    make_desk: DeskFactory, broker: FakeBroker, clock: FakeClock
) -> None:
    desk = make_desk(TradingPolicy(max_orders_per_minute=2, max_order_quantity=100))
    with pytest.raises(GuardrailViolation):
        await desk.place(buy(quantity=1000), REST)  # refused orders do not count
    await desk.place(buy(), REST)
    clock.advance(30)
    await desk.place(buy(), REST)
    with pytest.raises(GuardrailViolation) as caught:
        await desk.place(buy(), REST)
    assert caught.value.rule == "max_orders_per_minute"
    assert caught.value.details["retry_after"] == 30
    clock.advance(30)  # the first order leaves the window
    await desk.place(buy(), REST)
    with pytest.raises(GuardrailViolation):
        await desk.place(buy(), REST)
    assert len(broker.called("place_order")) == 3


async def test_an_idempotent_retry_does_not_use_up_the_rate_limit(
    make_desk: DeskFactory, broker: FakeBroker
) -> None:
    desk = make_desk(TradingPolicy(max_orders_per_minute=2))
    first = await desk.place(buy(), REST, idempotency_key="k-1")
    again = await desk.place(buy(), REST, idempotency_key="k-1")
    assert (again.order_id, again.duplicate) == (first.order_id, True)
    await desk.place(buy(), REST)
    assert len(broker.called("place_order")) == 2


@pytest.mark.parametrize(
    "limit",
    [
        "max_order_quantity",
        "max_order_notional",
        "max_orders_per_minute",
        "max_previews_per_minute",
    ],
)
@pytest.mark.parametrize("value", [0, -1, float("nan"), float("inf")])
def test_policy_refuses_limits_that_cannot_work(limit: str, value: float) -> None:
    with pytest.raises(ValueError, match=limit):
        TradingPolicy(**{limit: value})  # type: ignore[arg-type]

from __future__ import annotations

import math

import pytest

from adapters.simulated_gateway import SimWorld
from adapters.simulated_gateway.model import (
    Filled,
    OrderChanged,
    OrderRejected,
    OrderSpec,
    PortfolioChanged,
    UnknownOrder,
    WorldEvent,
)
from adapters.simulated_gateway.orders.exchange import average_price

from .conftest import one


def values(world: SimWorld) -> dict[str, float]:
    return {v.key: float(v.value) for v in world.account_values()
            if v.currency == "USD" and v.key != "Currency"}  # fmt: skip


def aapl(world: SimWorld):
    return one(world, symbol="AAPL", sec_type="STK", currency="USD")


def test_market_buy_fills_at_the_ask_and_books_it(world: SimWorld, events: list) -> None:
    q = world.quote(265598)
    rec = world.place_order(OrderSpec(1, 0, "BUY", 100, "MKT"), aapl(world))
    assert rec.status == "Filled" and rec.avg_fill_price == q.ask and rec.commission == 1.0
    [pos] = world.positions()
    assert pos.position == 100
    assert pos.avg_cost == pytest.approx(q.ask + 0.01)  # commission folded in, as IB does
    v = values(world)
    assert v["TotalCashValue"] == pytest.approx(1_000_000 - 100 * q.ask - 1.0)
    [fill] = world.fills()
    assert fill.side == "BOT" and fill.shares == 100 and math.isnan(fill.realized_pnl)
    kinds = [type(e) for e in events]
    assert kinds[:4] == [OrderChanged, Filled, OrderChanged, PortfolioChanged]


@pytest.mark.parametrize(
    ("fills", "expected"),
    [
        ([(230.02, 10)], 230.02),  # naive (0 * 0 + 230.02 * 10) / 10 is 230.02000000000004
        ([(0.1, 3)], 0.1),
        ([(123.45, 13)], 123.45),
        ([(230.02, 10), (230.04, 10)], 230.03),
        ([(100.0, 1), (100.01, 2)], 100.00666667),
    ],
)
def test_average_fill_price_carries_no_float_noise(
    fills: list[tuple[float, float]], expected: float
) -> None:
    avg, filled = 0.0, 0.0
    for price, qty in fills:
        avg = average_price(avg, filled, price, qty)
        filled += qty
    assert avg == expected


def test_limit_rests_then_fills_when_crossed(world: SimWorld) -> None:
    q = world.quote(265598)
    limit = round(q.bid - 1.0, 2)
    rec = world.place_order(OrderSpec(2, 0, "BUY", 100, "LMT", lmt_price=limit, tif="GTC"),
                            aapl(world))  # fmt: skip
    assert rec.status == "Submitted" and rec.filled == 0
    for _ in range(2000):
        world.step(60)
        if not world.open_orders():
            break
    [done] = world.completed_orders()
    assert done.status == "Filled" and done.avg_fill_price == limit


def test_marketable_limit_gets_the_better_price(world: SimWorld) -> None:
    q = world.quote(265598)
    rec = world.place_order(OrderSpec(3, 0, "BUY", 100, "LMT", lmt_price=q.ask + 5), aapl(world))
    assert rec.status == "Filled" and rec.avg_fill_price == q.ask


def test_stop_triggers_on_the_walk(world: SimWorld) -> None:
    world.place_order(OrderSpec(1, 0, "BUY", 100, "MKT"), aapl(world))
    stop = round(world.quote(265598).bid - 0.5, 2)
    rec = world.place_order(OrderSpec(4, 0, "SELL", 100, "STP", aux_price=stop, tif="GTC"),
                            aapl(world))  # fmt: skip
    assert rec.status == "PreSubmitted"
    for _ in range(2000):
        world.step(30)
        if not world.open_orders():
            break
    done = next(o for o in world.completed_orders() if o.spec.order_id == 4)
    assert done.status == "Filled" and done.avg_fill_price <= stop
    assert world.positions()[0].position == 0


def test_ioc_fills_what_is_there_and_cancels_the_rest(world: SimWorld) -> None:
    q = world.quote(265598)
    big = q.ask_size + 500
    rec = world.place_order(OrderSpec(5, 0, "BUY", big, "LMT", lmt_price=q.ask, tif="IOC"),
                            aapl(world))  # fmt: skip
    assert rec.status == "Cancelled" and rec.filled == q.ask_size
    none = world.place_order(OrderSpec(6, 0, "BUY", 10, "LMT", lmt_price=q.bid - 5, tif="IOC"),
                             aapl(world))  # fmt: skip
    assert none.status == "Cancelled" and none.filled == 0


def test_day_order_expires_at_the_close(world: SimWorld) -> None:
    low = round(world.quote(265598).bid * 0.5, 2)
    world.place_order(OrderSpec(7, 0, "BUY", 10, "LMT", lmt_price=low), aapl(world))
    world.step(5 * 3600)  # 15:00 New York
    assert world.open_orders()
    world.step(3600 + 1)
    assert not world.open_orders()
    assert world.completed_orders()[0].status == "Cancelled"


def test_gtd_order_expires_at_its_date(world: SimWorld) -> None:
    low = round(world.quote(265598).bid * 0.5, 2)
    spec = OrderSpec(8, 0, "BUY", 10, "LMT", lmt_price=low, tif="GTD",
                     good_till_date="20260204 11:00:00 US/Eastern")  # fmt: skip
    world.place_order(spec, aapl(world))
    world.step(3599)
    assert world.open_orders()
    world.step(2)
    assert not world.open_orders()


def test_modify_keeps_perm_id(world: SimWorld) -> None:
    low = round(world.quote(265598).bid * 0.5, 2)
    first = world.place_order(OrderSpec(9, 0, "BUY", 10, "LMT", lmt_price=low), aapl(world))
    second = world.place_order(OrderSpec(9, 0, "BUY", 20, "LMT", lmt_price=low + 1), aapl(world))
    assert second.perm_id == first.perm_id and second.remaining == 20
    [open_] = world.open_orders()
    assert open_.spec.lmt_price == low + 1


def test_cancel_and_unknown_cancel(world: SimWorld) -> None:
    low = round(world.quote(265598).bid * 0.5, 2)
    world.place_order(OrderSpec(10, 0, "BUY", 10, "LMT", lmt_price=low), aapl(world))
    assert world.cancel_order(10).status == "Cancelled"
    with pytest.raises(UnknownOrder):
        world.cancel_order(10)
    with pytest.raises(UnknownOrder):
        world.cancel_order(999)


def test_global_cancel(world: SimWorld) -> None:
    low = round(world.quote(265598).bid * 0.5, 2)
    for oid in (11, 12):
        world.place_order(OrderSpec(oid, 0, "BUY", 10, "LMT", lmt_price=low), aapl(world))
    assert len(world.global_cancel()) == 2 and not world.open_orders()


def test_untransmitted_order_is_held(world: SimWorld) -> None:
    rec = world.place_order(OrderSpec(13, 0, "BUY", 10, "MKT", transmit=False), aapl(world))
    assert rec.status == "PreSubmitted" and rec.filled == 0
    world.step(10)
    assert world.open_orders()[0].filled == 0


def test_bracket_children_wait_for_the_parent(world: SimWorld) -> None:
    q = world.quote(265598)
    inst = aapl(world)
    world.place_order(OrderSpec(20, 0, "BUY", 10, "MKT", transmit=False), inst)
    world.place_order(OrderSpec(21, 0, "SELL", 10, "LMT", lmt_price=q.ask + 50, parent_id=20,
                                transmit=False, tif="GTC"), inst)  # fmt: skip
    world.place_order(OrderSpec(22, 0, "SELL", 10, "STP", aux_price=q.bid - 50, parent_id=20,
                                tif="GTC"), inst)  # fmt: skip
    status = {o.spec.order_id: o.status for o in world.open_orders() + world.completed_orders()}
    assert status == {20: "Filled", 21: "Submitted", 22: "PreSubmitted"}


def test_buying_power_rejection_uses_ib_wording(world: SimWorld) -> None:
    with pytest.raises(OrderRejected) as err:
        world.place_order(OrderSpec(30, 0, "BUY", 100_000, "MKT"), aapl(world))
    assert err.value.code == 201
    assert "Equity with Loan Value" in err.value.message
    assert err.value.message.startswith("Order rejected - reason:")
    assert not world.positions() and not world.open_orders()


def test_what_if_changes_nothing(world: SimWorld, events: list[WorldEvent]) -> None:
    before = world.account_values()
    w = world.what_if(OrderSpec(31, 0, "BUY", 100, "MKT", what_if=True), aapl(world))
    assert float(w.init_margin_after) > float(w.init_margin_before) == 0
    assert w.commission == 1.0 and w.commission_currency == "USD"
    assert world.account_values() == before and not events and not world.open_orders()


def test_short_option_then_cover_realizes_pnl_with_multiplier(world: SimWorld) -> None:
    call = one(world, symbol="AAPL", sec_type="OPT", last_trade_date="20260320", strike=230.0,
               right="C")  # fmt: skip
    sold = world.place_order(OrderSpec(40, 0, "SELL", 2, "MKT"), call)
    [pos] = world.positions()
    assert pos.position == -2
    assert pos.avg_cost == pytest.approx(sold.avg_fill_price * 100 - 1.30 / 2)
    world.step(3600)
    bought = world.place_order(OrderSpec(41, 0, "BUY", 2, "MKT"), call)
    fill = world.fills()[-1]
    expected = 2 * (sold.avg_fill_price - bought.avg_fill_price) * 100 - 2.60
    assert fill.realized_pnl == pytest.approx(expected)
    [pos] = world.positions()
    assert pos.position == 0 and pos.realized_pnl == pytest.approx(expected)
    assert values(world)["RealizedPnL"] == pytest.approx(expected, abs=0.01)


def test_flip_from_long_to_short(world: SimWorld) -> None:
    inst = aapl(world)
    world.place_order(OrderSpec(50, 0, "BUY", 100, "MKT"), inst)
    world.place_order(OrderSpec(51, 0, "SELL", 150, "MKT"), inst)
    [pos] = world.positions()
    assert pos.position == -50 and pos.realized_pnl != 0


def test_account_values_are_consistent(world: SimWorld) -> None:
    world.place_order(OrderSpec(60, 0, "BUY", 1000, "MKT"), aapl(world))
    v = values(world)
    assert v["NetLiquidation"] == pytest.approx(v["TotalCashValue"] + v["GrossPositionValue"])
    assert v["BuyingPower"] == pytest.approx(4 * v["AvailableFunds"])
    assert v["AvailableFunds"] == pytest.approx(v["EquityWithLoanValue"] - v["InitMarginReq"])
    keys = {a.key for a in world.account_values()}
    assert {"AccountType", "Cushion", "Leverage-S", "CashBalance", "SettledCash",
            "ExcessLiquidity", "MaintMarginReq", "UnrealizedPnL"} <= keys  # fmt: skip


def test_portfolio_updates_are_throttled(world: SimWorld, events: list[WorldEvent]) -> None:
    world.place_order(OrderSpec(70, 0, "BUY", 100, "MKT"), aapl(world))
    events.clear()
    for _ in range(40):  # ten simulated seconds at the server's tick
        world.step(0.25)
    assert 1 <= sum(isinstance(e, PortfolioChanged) for e in events) <= 11

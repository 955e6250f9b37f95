"""The world's PnL: from the fills and the price path; the day's PnL starts again each day."""

from __future__ import annotations

import math

from adapters.simulated_gateway import SimWorld
from adapters.simulated_gateway.model import OrderSpec
from tests.simulator_world.conftest import one


def test_a_flat_account_has_no_pnl_and_a_never_traded_contract_no_figures(world: SimWorld):
    aapl = one(world, symbol="AAPL", sec_type="STK")
    assert world.pnl().daily == world.pnl().unrealized == world.pnl().realized == 0.0
    single = world.pnl_single(aapl.con_id)
    assert single is not None and single.position == 0 and math.isnan(single.unrealized)
    assert world.pnl_single(1) is None


def test_position_pnl_adds_up_and_the_day_starts_from_zero(world: SimWorld):
    aapl = one(world, symbol="AAPL", sec_type="STK")
    world.place_order(OrderSpec(1, 0, "BUY", 100, "MKT"), aapl)
    world.place_order(OrderSpec(2, 0, "SELL", 40, "MKT"), aapl)
    single = world.pnl_single(aapl.con_id)
    assert single is not None and single.position == 60
    assert single.realized < 0  # crossed the spread twice and paid commissions
    assert math.isclose(single.daily, single.realized + single.unrealized)
    assert math.isclose(world.pnl().realized, single.realized)

    world.step(24 * 3600.0)  # the next day
    after = world.pnl_single(aapl.con_id)
    assert after is not None and after.daily == 0.0 and after.realized == single.realized
    assert world.pnl().daily == 0.0

from __future__ import annotations

import math
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.simulated_gateway import SimWorld
from adapters.simulated_gateway.markets.options import RATE, expiry_time
from adapters.simulated_gateway.model import ContractQuery

from .conftest import MARKET_OPEN, one

TRADABLE = [265598, 272093, 756733, 1447060, 81540716, 12087792]


@settings(max_examples=25, deadline=None)
@given(con_id=st.sampled_from(TRADABLE), minutes=st.integers(0, 60 * 24 * 10))
def test_quote_invariants(con_id: int, minutes: int) -> None:
    w = SimWorld(seed=3, start=MARKET_OPEN + timedelta(minutes=minutes))
    q = w.quote(con_id)
    assert 0 < q.bid < q.ask
    assert q.bid_size > 0 and q.ask_size > 0
    assert (q.ask - q.bid) / q.bid < 0.01
    if not math.isnan(q.last):
        assert q.low <= q.last <= q.high
        assert q.volume >= 0
    assert q.close > 0 and q.open > 0


def test_index_has_last_but_no_book(world: SimWorld) -> None:
    q = world.quote(416904)
    assert q.last > 0 and math.isnan(q.bid) and math.isnan(q.ask)


def test_future_trades_near_the_index_with_carry(world: SimWorld) -> None:
    es = one(world, symbol="ES", sec_type="FUT", last_trade_date="202606")
    q, spx = world.quote(es.con_id), world.quote(416904)
    assert q.ask - q.bid in (0.25, 0.5)
    assert 1.0 < q.bid / spx.last < 1.02


def test_same_seed_same_start_same_quotes_and_bars() -> None:
    a, b = SimWorld(seed=11, start=MARKET_OPEN), SimWorld(seed=11, start=MARKET_OPEN)
    b.quote(272093)  # reading other instruments first must not matter
    for w in (a, b):
        w.step(3600)
    assert a.quote(265598) == b.quote(265598)
    bars_a = a.historical_bars(265598, None, "2 D", "5 mins", "TRADES", True)
    assert bars_a == b.historical_bars(265598, None, "2 D", "5 mins", "TRADES", True)


def test_different_seed_differs() -> None:
    a, b = SimWorld(seed=1, start=MARKET_OPEN), SimWorld(seed=2, start=MARKET_OPEN)
    a.step(600)
    b.step(600)
    assert a.quote(265598) != b.quote(265598)


def test_walk_starts_at_the_listing_price_and_moves(world: SimWorld) -> None:
    first = world.quote(265598)
    assert abs((first.bid + first.ask) / 2 - 230.0) < 0.05
    world.step(6 * 3600)
    assert world.quote(265598).bid != first.bid


def test_volume_accumulates_through_the_day(world: SimWorld) -> None:
    v0 = world.quote(265598).volume
    world.step(3600)
    assert world.quote(265598).volume > v0 > 0


def test_option_quote_is_plausible_and_put_call_parity_holds(world: SimWorld) -> None:
    kw = {"symbol": "AAPL", "sec_type": "OPT", "last_trade_date": "20260320", "strike": 230.0}
    call = one(world, right="C", **kw)
    put = one(world, right="P", **kw)
    c, p = world.quote(call.con_id), world.quote(put.con_id)
    for q in (c, p):
        assert 0 < q.bid < q.ask and q.bid_size > 0 and q.ask_size > 0
        assert 0.05 < q.implied_vol < 1.5
        assert q.und_price > 0 and q.vega > 0 and q.theta < 0 and q.gamma > 0
    assert 0.3 < c.delta < 0.7 and -0.7 < p.delta < -0.3
    years = (expiry_time(call) - world.now()).total_seconds() / (365.25 * 86400)
    mid_c, mid_p = (c.bid + c.ask) / 2, (p.bid + p.ask) / 2
    parity = c.und_price - 230.0 * math.exp(-RATE * years)
    assert abs((mid_c - mid_p) - parity) < 0.5


def test_smile_puts_below_spot_are_richer(world: SimWorld) -> None:
    chain = world.find(ContractQuery(symbol="SPY", sec_type="OPT", last_trade_date="20260320",
                                     right="P"))  # fmt: skip
    spot = world.quote(756733).ask
    low = min(chain, key=lambda o: abs(o.strike - 0.85 * spot))
    atm = min(chain, key=lambda o: abs(o.strike - spot))
    assert world.quote(low.con_id).implied_vol > world.quote(atm.con_id).implied_vol

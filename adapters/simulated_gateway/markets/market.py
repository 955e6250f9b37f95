"""Prices for stocks, ETFs, SPX, ES and EURUSD: seeded random walks read at any simulated time.

Every walk is geometric Brownian motion with the instrument's volatility, anchored so that it
sits at the listing's starting price at the world's start. Prices are a pure function of
(seed, conId, time), so nothing has to be stepped: untouched instruments cost nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from adapters.simulated_gateway.model import Instrument, Quote

from .instruments import SPX_CON_ID, Catalogue
from .price_path import (
    SECONDS_PER_YEAR,
    BrownianPath,
    bridge_extremes,
    key_of,
    mix64,
    normal,
    seconds,
)
from .sessions import daily_volume_factor, schedule_of, volume_fraction

RATE = 0.04  # the simulated risk-free rate
_SPX_DIVIDEND_YIELD = 0.013
_ES_ADV = 1.6e6  # contracts a day
_BLOCK = 900  # seconds: day high/low are drawn per 15-minute block
# The book (spread, sizes, which side printed) is redrawn every quarter second, the default
# step of the simulator's clock: a liquid stock's quote then changes several times a second.
QUOTE_STEPS_PER_SECOND = 4
NAN = float("nan")

# Stream tags, so that each kind of draw for one instrument is independent of the others.
PATH, SPREAD, EXTREME, VOLUME, SIZE = 1, 2, 3, 4, 5


class PriceWalk:
    """log price = log0 + sigma * W(t), with log0 chosen so the price at ``anchor`` is S0."""

    __slots__ = ("log0", "path", "sigma")

    def __init__(self, seed: int, con_id: int, price: float, vol: float, anchor: int) -> None:
        self.path = BrownianPath(key_of(seed, con_id, PATH))
        self.sigma = vol / math.sqrt(SECONDS_PER_YEAR)
        self.log0 = math.log(price) - self.sigma * self.path.at(anchor)

    def log_price(self, s: float) -> float:
        return self.log0 + self.sigma * self.path.at(s)

    def log_prices(self, ts: list[int]) -> list[float]:
        return [self.log0 + self.sigma * w for w in self.path.many(ts)]


@dataclass(frozen=True, slots=True)
class DayStats:
    open: float
    high: float
    low: float
    prev_close: float
    volume: float


@lru_cache(maxsize=32)
def _decimals(tick: float) -> int:
    return max(0, -math.floor(math.log10(tick)) + 1)


def round_to_tick(x: float, tick: float) -> float:
    return round(round(x / tick) * tick, _decimals(tick))


def quote_step(t: datetime) -> int:
    """The quarter second ``t`` falls in: quotes read in the same one are identical."""
    return math.floor(seconds(t) * QUOTE_STEPS_PER_SECOND)


class Market:
    """The price of every non-option instrument at any simulated instant."""

    def __init__(self, seed: int, anchor: datetime, catalogue: Catalogue) -> None:
        self.seed = seed
        self._anchor = int(seconds(anchor))
        self._catalogue = catalogue
        self._walks: dict[int, PriceWalk] = {}
        # (walk conId, trading day) -> (blocks folded in, high, low) in log price
        self._extremes: dict[tuple[int, date], tuple[int, float, float]] = {}

    # -- the walks --------------------------------------------------------------------------

    def walk(self, con_id: int) -> PriceWalk:
        w = self._walks.get(con_id)
        if w is None:
            spec = self._catalogue.walks[con_id]
            w = self._walks[con_id] = PriceWalk(
                self.seed, con_id, spec.price, spec.vol, self._anchor
            )
        return w

    def walk_id(self, inst: Instrument) -> int:
        # ES is SPX carried to expiry, so the future and the index move together.
        return SPX_CON_ID if inst.sec_type == "FUT" else inst.con_id

    def carry(self, inst: Instrument, t: datetime) -> float:
        if inst.sec_type != "FUT":
            return 1.0
        expiry = datetime.strptime(inst.last_trade_date, "%Y%m%d").replace(tzinfo=t.tzinfo)
        years = max((expiry - t).total_seconds(), 0.0) / SECONDS_PER_YEAR
        return math.exp((RATE - _SPX_DIVIDEND_YIELD) * years)

    def mid(self, inst: Instrument, t: datetime) -> float:
        return math.exp(self.walk(self.walk_id(inst)).log_price(seconds(t))) * self.carry(inst, t)

    # -- quotes -----------------------------------------------------------------------------

    def quote(self, inst: Instrument, t: datetime) -> Quote:
        mid = self.mid(inst, t)
        stats = self.day_stats(inst, t)
        tick = inst.min_tick
        if inst.sec_type == "IND":
            last = round_to_tick(mid, tick)
            return Quote(NAN, NAN, NAN, NAN, last, NAN, NAN, stats.open,
                         max(stats.high, last), min(stats.low, last), stats.prev_close)  # fmt: skip
        h = mix64(key_of(self.seed, inst.con_id, SPREAD, quote_step(t)))
        spread = tick * (1 + h % 3 if inst.sec_type == "STK" else 1 + h % 2)
        bid = round_to_tick(math.floor((mid - spread / 2) / tick + 1e-9) * tick, tick)
        ask = round_to_tick(bid + spread, tick)
        lot = {"STK": 100.0, "CASH": 1e6, "FUT": 1.0}.get(inst.sec_type, 1.0)
        bid_size = lot * (1 + (h >> 8) % 20)
        ask_size = lot * (1 + (h >> 16) % 20)
        if inst.sec_type == "CASH":  # IDEALPRO prints no trades
            last, last_size = NAN, NAN
        else:
            last = bid if (h >> 24) & 1 else ask
            last_size = lot * (1 + (h >> 32) % 5)
        high = max(stats.high, ask if math.isnan(last) else last)
        low = min(stats.low, bid if math.isnan(last) else last)
        return Quote(bid, ask, bid_size, ask_size, last, last_size, stats.volume,
                     stats.open, high, low, stats.prev_close)  # fmt: skip

    def day_stats(self, inst: Instrument, t: datetime) -> DayStats:
        sched = schedule_of(inst)
        day = sched.day_at(t)
        start, end = sched.trading.window(day)
        open_at, _ = sched.liquid.window(day)
        _, prev_close_at = sched.liquid.window(sched.previous_day(day))
        wid = self.walk_id(inst)
        walk = self.walk(wid)
        carry = self.carry(inst, t)
        tick = inst.min_tick

        def px(x: float) -> float:
            return round_to_tick(math.exp(x) * carry, tick)

        first = open_at if t >= open_at else start
        hi, lo = self._day_extremes(wid, walk, day, start, min(t, end))
        x_now = walk.log_price(seconds(t))
        return DayStats(
            open=px(walk.log_price(seconds(first))),
            high=px(max(hi, x_now)),
            low=px(min(lo, x_now)),
            prev_close=px(walk.log_price(seconds(prev_close_at))),
            volume=self.volume(inst, day, t),
        )

    def _day_extremes(
        self, wid: int, walk: PriceWalk, day: date, start: datetime, until: datetime
    ) -> tuple[float, float]:
        """High/low (log) over the session's complete 15-minute blocks up to ``until``."""
        s0 = int(seconds(start))
        n_blocks = max(0, (int(seconds(until)) - s0) // _BLOCK)
        done, hi, lo = self._extremes.get((wid, day), (0, -math.inf, math.inf))
        if n_blocks > done:
            ts = [s0 + i * _BLOCK for i in range(done, n_blocks + 1)]
            xs = walk.log_prices(ts)
            var = walk.sigma**2 * _BLOCK
            for i in range(len(ts) - 1):
                key = key_of(self.seed, wid, EXTREME, ts[i], _BLOCK)
                bh, bl = bridge_extremes(xs[i], xs[i + 1], var, key)
                hi, lo = max(hi, bh), min(lo, bl)
            self._extremes[(wid, day)] = (n_blocks, hi, lo)
        if n_blocks == 0:
            x = walk.log_price(s0)
            hi, lo = max(hi, x), min(lo, x)
        return hi, lo

    def volume(self, inst: Instrument, day: date, t: datetime) -> float:
        """Cumulative volume of trading day ``day`` by ``t`` (NaN where IB shows none)."""
        adv = self.average_volume(inst)
        if adv <= 0:
            return NAN
        sched = schedule_of(inst)
        return float(round(self.day_volume(inst, day) * volume_fraction(sched, day, t)))

    def average_volume(self, inst: Instrument) -> float:
        if inst.sec_type == "FUT":
            return _ES_ADV
        spec = self._catalogue.walks.get(inst.con_id)
        return spec.adv if spec else 0.0

    def day_volume(self, inst: Instrument, day: date) -> float:
        z = normal(key_of(self.seed, inst.con_id, VOLUME, day.toordinal()))
        return self.average_volume(inst) * daily_volume_factor(z)

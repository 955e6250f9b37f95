"""Option prices and greeks: Black-Scholes on the underlying's walk with a skewed smile."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, time

from adapters.simulated_gateway.model import Instrument, Quote

from .market import RATE, Market
from .price_path import SECONDS_PER_YEAR, key_of, mix64, normal
from .sessions import schedule_of, volume_fraction
from .trading_calendar import EASTERN

_SQRT2 = math.sqrt(2.0)
_IV_DRIFT = 6  # stream tag for the day-to-day wobble of at-the-money vol


def norm_cdf(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / _SQRT2))


def norm_pdf(x: float) -> float:
    return math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


@dataclass(frozen=True, slots=True)
class Greeks:
    price: float
    delta: float
    gamma: float
    vega: float  # per 1 vol point, as IB reports it
    theta: float  # per calendar day, as IB reports it


def black_scholes(s: float, k: float, years: float, vol: float, right: str) -> Greeks:
    """European price and greeks, no dividends, continuous rate ``RATE``."""
    call = right == "C"
    if years <= 0 or vol <= 0:
        intrinsic = max(s - k, 0.0) if call else max(k - s, 0.0)
        delta = (1.0 if s > k else 0.0) if call else (-1.0 if s < k else 0.0)
        return Greeks(intrinsic, delta, 0.0, 0.0, 0.0)
    sq = vol * math.sqrt(years)
    d1 = (math.log(s / k) + (RATE + 0.5 * vol * vol) * years) / sq
    d2 = d1 - sq
    disc = math.exp(-RATE * years)
    pdf = norm_pdf(d1)
    gamma = pdf / (s * sq)
    vega = s * pdf * math.sqrt(years) / 100.0
    decay = -s * pdf * vol / (2 * math.sqrt(years))
    if call:
        price = s * norm_cdf(d1) - k * disc * norm_cdf(d2)
        theta = (decay - RATE * k * disc * norm_cdf(d2)) / 365.0
        delta = norm_cdf(d1)
    else:
        price = k * disc * norm_cdf(-d2) - s * norm_cdf(-d1)
        theta = (decay + RATE * k * disc * norm_cdf(-d2)) / 365.0
        delta = norm_cdf(d1) - 1.0
    return Greeks(max(price, 0.0), delta, gamma, vega, theta)


def smile(atm: float, s: float, k: float, years: float) -> float:
    """IV by strike: puts below spot richest, both wings above the money (equity skew)."""
    z = math.log(k / s) / (atm * math.sqrt(max(years, 1.0 / 365.0)))
    z = max(-6.0, min(6.0, z))
    return atm * (1.0 - 0.05 * z + 0.03 * z * z)


def expiry_time(inst: Instrument) -> datetime:
    d = datetime.strptime(inst.last_trade_date, "%Y%m%d").date()
    return datetime.combine(d, time(16, 0), EASTERN)


class OptionPricer:
    def __init__(self, market: Market) -> None:
        self._market = market

    def atm_vol(self, under: Instrument, t: datetime) -> float:
        """The underlying's 30-day implied vol: its walk vol plus a premium that wobbles daily."""
        spec_vol = self._market.walk(under.con_id).sigma * math.sqrt(SECONDS_PER_YEAR)
        day = t.astimezone(EASTERN).date().toordinal()
        wobble = normal(key_of(self._market.seed, under.con_id, _IV_DRIFT, day))
        return spec_vol * (1.08 + 0.06 * wobble)

    def greeks(
        self, inst: Instrument, under: Instrument, t: datetime, s: float
    ) -> tuple[Greeks, float, float]:
        """(greeks, implied vol, years to expiry) at underlying price ``s``."""
        years = max((expiry_time(inst) - t).total_seconds(), 0.0) / SECONDS_PER_YEAR
        iv = smile(self.atm_vol(under, t), s, inst.strike, years)
        return black_scholes(s, inst.strike, years, iv, inst.right), iv, years

    def quote(self, inst: Instrument, under: Instrument, t: datetime) -> Quote:
        s = self._market.mid(under, t)
        g, iv, years = self.greeks(inst, under, t, s)
        stats = self._market.day_stats(under, t)

        def at(spot: float, dt_years: float = 0.0) -> float:
            vol = smile(self.atm_vol(under, t), spot, inst.strike, years + dt_years)
            return black_scholes(spot, inst.strike, years + dt_years, vol, inst.right).price

        h = mix64(key_of(self._market.seed, inst.con_id, 2, int(t.timestamp())))
        tick = 0.01 if g.price < 3.0 else 0.05
        spread = max(tick, round(g.price * 0.04 / tick) * tick)
        bid = max(0.0, math.floor((g.price - spread / 2) / tick + 1e-9) * tick)
        ask = max(bid + spread, math.ceil(g.price / tick - 1e-9) * tick, tick)
        bid, ask = round(bid, 2), round(ask, 2)
        moneyness = abs(math.log(inst.strike / s)) / max(iv * math.sqrt(max(years, 1e-4)), 1e-9)
        day_volume = 3000.0 * math.exp(-0.7 * moneyness)
        sched = schedule_of(under)
        frac = volume_fraction(sched, sched.day_at(t), t)
        hi_spot, lo_spot = (stats.high, stats.low) if inst.right == "C" else (stats.low, stats.high)
        last = round(max(g.price, 0.01), 2)
        return Quote(
            bid=bid,
            ask=ask,
            bid_size=float(1 + (h >> 8) % 50),
            ask_size=float(1 + (h >> 16) % 50),
            last=last,
            last_size=float(1 + (h >> 24) % 10),
            volume=float(round(day_volume * frac)),
            open=round(at(stats.open), 2),
            high=round(max(at(hi_spot), last), 2),
            low=round(min(at(lo_spot), last), 2),
            close=round(at(stats.prev_close, 1.0 / 365.0), 2),
            implied_vol=iv,
            delta=g.delta,
            gamma=g.gamma,
            vega=g.vega,
            theta=g.theta,
            und_price=s,
        )

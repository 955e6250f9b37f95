"""Option computations beyond the model quote, from the same Black-Scholes model.

- the implied volatility and greeks of the bid, the ask and the last price (IB's ticks 10, 11
  and 12 beside the model's 13);
- open interest (generic tick 101 -> tick 27 for a call, 28 for a put), drawn once per
  trading day from the seed: largest at the money, thinning out in the wings;
- IB's option calculators: the implied volatility of a price (calculateImpliedVolatility) and
  the price of a volatility (calculateOptionPrice), each at a given underlying price.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime

from adapters.simulated_gateway.markets.market import RATE, Market
from adapters.simulated_gateway.markets.options import OptionPricer, black_scholes, expiry_time
from adapters.simulated_gateway.markets.price_path import SECONDS_PER_YEAR, key_of, uniform
from adapters.simulated_gateway.markets.trading_calendar import EASTERN
from adapters.simulated_gateway.model import Computation, Instrument
from adapters.simulated_gateway.model import Quote as SimQuote

# IB's tick types of option computations and open interest.
BID_OPTION, ASK_OPTION, LAST_OPTION, MODEL_OPTION, CUST_OPTION = 10, 11, 12, 13, 53
CALL_OPEN_INTEREST, PUT_OPEN_INTEREST = 27, 28
OPEN_INTEREST_GENERIC = "101"
_OPEN_INTEREST = 7  # stream tag of the daily open-interest draw
_PEAK_OPEN_INTEREST = 25_000.0
MIN_VOL, MAX_VOL = 1e-4, 5.0  # the volatilities an implied volatility is searched among


def implied_vol(
    price: float, s: float, k: float, years: float, right: str, guess: float = 0.3
) -> float:
    """The volatility at which the model prices the option at ``price``; NaN when none does
    (a price at or below the discounted intrinsic value, or at or above the upper bound)."""
    if not (price > 0 and s > 0 and k > 0 and years > 0):
        return math.nan
    disc = k * math.exp(-RATE * years)
    low = max(s - disc, 0.0) if right == "C" else max(disc - s, 0.0)
    high = s if right == "C" else disc
    if price <= low + 1e-9 or price >= high - 1e-9:
        return math.nan
    lo, hi = MIN_VOL, MAX_VOL
    vol = min(max(guess, lo), hi) if guess == guess else 0.3
    for _ in range(60):  # Newton's steps, kept inside the bracket (bisection when they leave)
        g = black_scholes(s, k, years, vol, right)
        diff = g.price - price
        if abs(diff) < 1e-7 * max(1.0, price):
            return vol
        if diff > 0:
            hi = vol
        else:
            lo = vol
        slope = g.vega * 100.0  # per unit of volatility
        step = vol - diff / slope if slope > 1e-12 else math.nan
        vol = step if lo < step < hi else (lo + hi) / 2
        if hi - lo < 1e-10:
            break
    return math.nan  # no volatility between MIN_VOL and MAX_VOL gives that price


def _computation(
    s: float, k: float, years: float, vol: float, right: str, price: float | None = None
) -> Computation:
    if vol != vol:
        nan = math.nan
        return Computation(nan, nan, price if price is not None else nan, nan, nan, nan, s)
    g = black_scholes(s, k, years, vol, right)
    return Computation(vol, g.delta, g.price if price is None else price, g.gamma, g.vega,
                       g.theta, s)  # fmt: skip


class OptionAnalytics:
    """Computations on the options of one world, at its current time."""

    def __init__(
        self,
        market: Market,
        pricer: OptionPricer,
        underlying: Callable[[Instrument], Instrument],
        now: Callable[[], datetime],
    ) -> None:
        self._market = market
        self._pricer = pricer
        self._underlying = underlying
        self._now = now

    def years(self, inst: Instrument) -> float:
        left = (expiry_time(inst) - self._now()).total_seconds()
        return max(left, 0.0) / SECONDS_PER_YEAR

    def underlying_price(self, inst: Instrument) -> float:
        return self._market.mid(self._underlying(inst), self._now())

    def price_computations(
        self, inst: Instrument, quote: SimQuote
    ) -> list[tuple[int, Computation]]:
        """The bid's, the ask's and the last price's implied volatility and greeks."""
        years, s = self.years(inst), quote.und_price
        out = []
        for tick_type, price in ((BID_OPTION, quote.bid), (ASK_OPTION, quote.ask),
                                 (LAST_OPTION, quote.last)):  # fmt: skip
            if not (price == price and price > 0):
                continue
            vol = implied_vol(price, s, inst.strike, years, inst.right, quote.implied_vol)
            out.append((tick_type, _computation(s, inst.strike, years, vol, inst.right, price)))
        return out

    def open_interest(self, inst: Instrument) -> float:
        """Contracts open at the start of today: set once a day, as IB's figure is."""
        under = self._underlying(inst)
        t = self._now()
        spot = self._market.day_stats(under, t).prev_close
        atm = self._pricer.atm_vol(under, t)
        years = max(self.years(inst), 1.0 / 365.0)
        z = math.log(inst.strike / spot) / (atm * math.sqrt(years))
        day = t.astimezone(EASTERN).date().toordinal()
        draw = uniform(key_of(self._market.seed, inst.con_id, _OPEN_INTEREST, day))
        near = _PEAK_OPEN_INTEREST * math.exp(-0.25 * z * z) * min(1.0, 0.3 + years * 4)
        return float(round(near * (0.5 + draw)))

    def implied_volatility(
        self, inst: Instrument, price: float, und_price: float | None
    ) -> Computation:
        """calculateImpliedVolatility: the vol of ``price`` (unknown when none fits)."""
        s = und_price if und_price and und_price > 0 else self.underlying_price(inst)
        years = self.years(inst)
        guess = self._pricer.atm_vol(self._underlying(inst), self._now())
        vol = implied_vol(price, s, inst.strike, years, inst.right, guess)
        return _computation(s, inst.strike, years, vol, inst.right, price)

    def option_price(self, inst: Instrument, vol: float, und_price: float | None) -> Computation:
        """calculateOptionPrice: the model price and greeks at volatility ``vol``."""
        s = und_price if und_price and und_price > 0 else self.underlying_price(inst)
        return _computation(s, inst.strike, self.years(inst), vol, inst.right)

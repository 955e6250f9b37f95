"""Turning time spans into bars for one instrument and one IB ``whatToShow``."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from adapters.simulated_gateway.model import Bar, HistoricalDataError, Instrument

from .instruments import Catalogue
from .market import EXTREME, VOLUME, Market, round_to_tick
from .options import OptionPricer
from .price_path import bridge_extremes, key_of, normal
from .sessions import schedule_of, volume_fraction

Span = tuple[date, int, int]  # trading day, start and end (epoch seconds)
_HV = 7  # stream tag for the historical-volatility wobble
_QUOTED = ("MIDPOINT", "BID", "ASK", "BID_ASK")
_VOLS = ("HISTORICAL_VOLATILITY", "OPTION_IMPLIED_VOLATILITY")


def _utc(s: int) -> datetime:
    return datetime.fromtimestamp(s, UTC)


class PriceSeries:
    """Prices of one instrument as a function of its driving walk's log price and time."""

    def __init__(
        self, inst: Instrument, what: str, market: Market, options: OptionPricer,
        catalogue: Catalogue,
    ) -> None:  # fmt: skip
        self.inst, self.what, self._market, self._options = inst, what, market, options
        self._under = catalogue.by_con_id(inst.under_con_id) if inst.sec_type == "OPT" else None
        self.wid = self._under.con_id if self._under else market.walk_id(inst)
        self._walk = market.walk(self.wid)
        self._price, self._rising = self._transform()
        self._tick = 0.01 if inst.sec_type == "OPT" else inst.min_tick

    def _transform(self) -> tuple[Callable[[float, int], float], bool]:
        inst, m = self.inst, self._market
        if inst.sec_type == "OPT":
            under = self._under
            assert under is not None

            def option(x: float, s: int) -> float:
                return self._options.greeks(inst, under, _utc(s), math.exp(x))[0].price

            return option, inst.right == "C"
        if inst.sec_type == "FUT":
            return (lambda x, s: math.exp(x) * m.carry(inst, _utc(s))), True
        return (lambda x, s: math.exp(x)), True

    def _vol(self, s: int) -> float:
        t = _utc(s)
        if self.what == "OPTION_IMPLIED_VOLATILITY":
            return self._options.atm_vol(self._under or self.inst, t)
        day = t.date().toordinal()
        z = normal(key_of(self._market.seed, self.wid, _HV, day))
        return self._walk.sigma * math.sqrt(365.25 * 86400) * math.exp(0.12 * z)

    def bars(self, spans: list[Span], tz: ZoneInfo, daily: bool) -> list[Bar]:
        ts = sorted({s for _, a, b in spans for s in (a, b)})
        xs = dict(zip(ts, self._walk.log_prices(ts), strict=True))
        out = []
        for d, a, b in spans:
            stamp = datetime.combine(d, time(0), tz) if daily else datetime.fromtimestamp(a, tz)
            out.append(self._bar(stamp, d, a, b, xs[a], xs[b]))
        return out

    def _bar(self, stamp: datetime, d: date, a: int, b: int, x0: float, x1: float) -> Bar:
        if self.what in _VOLS:
            v0, v1 = round(self._vol(a), 6), round(self._vol(b), 6)
            return Bar(stamp, v0, max(v0, v1), min(v0, v1), v1, -1.0, -1.0, -1)
        key = key_of(self._market.seed, self.wid, EXTREME, a, b - a)
        xh, xl = bridge_extremes(x0, x1, self._walk.sigma**2 * (b - a), key)
        if not self._rising:
            xh, xl = xl, xh
        tick = self._tick
        o, c = round_to_tick(self._price(x0, a), tick), round_to_tick(self._price(x1, b), tick)
        h = max(round_to_tick(self._price(xh, b), tick), o, c)
        lo = min(round_to_tick(self._price(xl, b), tick), o, c)
        if self.what in _QUOTED:
            half = tick
            if self.what == "BID":
                o, h, lo, c = o - half, h - half, lo - half, c - half
            elif self.what == "ASK":
                o, h, lo, c = o + half, h + half, lo + half, c + half
            elif self.what == "BID_ASK":
                o, h, lo, c = o - half, h + half, lo - half, c + half
            r = [round_to_tick(max(p, 0.0), tick) for p in (o, h, lo, c)]
            return Bar(stamp, r[0], r[1], r[2], r[3], -1.0, -1.0, -1)
        volume = self._volume(d, a, b)
        wap = round((h + lo + 2 * c) / 4, 4)
        count = 0 if volume <= 0 else max(1, round(volume / self._trade_size()))
        return Bar(stamp, o, h, lo, c, volume, wap, count)

    def _trade_size(self) -> float:
        return {"STK": 150.0, "OPT": 4.0, "FUT": 3.0}.get(self.inst.sec_type, 1.0)

    def _volume(self, d: date, a: int, b: int) -> float:
        inst = self.inst
        if inst.sec_type in ("IND", "CASH"):
            return 0.0
        sched = schedule_of(inst)
        frac = volume_fraction(sched, d, _utc(b)) - volume_fraction(sched, d, _utc(a))
        noise = math.exp(0.25 * normal(key_of(self._market.seed, inst.con_id, VOLUME, a)) - 0.03)
        if inst.sec_type == "OPT":
            day = 1500.0 * math.exp(0.5 * normal(key_of(inst.con_id, d.toordinal())))
        else:
            day = self._market.day_volume(inst, d)
        return float(round(day * max(frac, 0.0) * noise))


def series_for(
    inst: Instrument, what: str, market: Market, options: OptionPricer, catalogue: Catalogue
) -> PriceSeries:
    """The series for a request, or the error IB gives for data it does not have."""
    no_trades = inst.sec_type == "CASH" and what in ("TRADES", "ADJUSTED_LAST")
    no_vol = what in _VOLS and inst.sec_type not in ("STK", "IND")
    if no_trades or no_vol:
        raise HistoricalDataError(
            162,
            "Historical Market Data Service error message:No historical market data for "
            f"{inst.symbol}/{inst.sec_type}@{inst.exchange} {what.title()}",
        )
    return PriceSeries(inst, what, market, options, catalogue)

"""The earliest data of an instrument (reqHeadTimeStamp) and its volume by price
(reqHistogramData), from the same world as its bars; historical ticks are ``historical_ticks``.

The head timestamp is a listing date drawn once per instrument from its conId (years back for
stocks and indices, months before expiry for futures and options), at its session's open; it
does not depend on the wall clock. A histogram folds the bars of the period into price buckets,
each bar's volume spread evenly over the buckets between its low and high.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta

from adapters.simulated_gateway.model import (
    Bucket,
    HistoricalDataError,
    HistTick,
    Instrument,
    Quote,
)

from .bar_grammar import WHAT_TO_SHOW
from .bar_series import series_for
from .historical_ticks import TickSource
from .history import BarSource
from .instruments import Catalogue
from .market import Market, round_to_tick
from .options import OptionPricer
from .price_path import key_of, mix64
from .sessions import schedule_of
from .trading_calendar import next_trading_day

HMDS = "Historical Market Data Service error message:"
_LISTED = 12  # hash stream tag for the listing date
_FIRST_LISTING = date(1986, 1, 2)
_LISTING_SPAN_DAYS = 30 * 365
_PERIOD = re.compile(r"^([1-9][0-9]{0,2})\s*(d|days?|w|weeks?|m|months?|y|years?)$", re.I)
_MAX_BUCKETS = 60
_STEPS = (1, 2, 2.5, 5)


def _invalid(cause: str) -> HistoricalDataError:
    return HistoricalDataError(321, f"Error validating request.-'bX' : cause - {cause}")


class HistoryExtras:
    def __init__(
        self,
        market: Market,
        options: OptionPricer,
        catalogue: Catalogue,
        quote_at: Callable[[Instrument, datetime], Quote],
    ) -> None:
        self._market, self._options, self._catalogue = market, options, catalogue
        self._ticks = TickSource(market, options, catalogue, quote_at)

    def head_timestamp(self, inst: Instrument, what: str, use_rth: bool) -> datetime:
        what = what.strip().upper()
        if what not in WHAT_TO_SHOW:
            raise _invalid(f"Invalid whatToShow: {what}")
        no_trades = inst.sec_type == "CASH" and what in ("TRADES", "ADJUSTED_LAST")
        unquoted = inst.sec_type == "IND" and what in ("BID", "ASK", "BID_ASK", "MIDPOINT")
        if no_trades or unquoted:
            raise HistoricalDataError(162, f"{HMDS}No head time stamp")
        h = mix64(key_of(self._market.seed, inst.con_id, _LISTED))
        if inst.last_trade_date:
            expiry = datetime.strptime(inst.last_trade_date, "%Y%m%d").date()
            back = (180 + h % 540) if inst.sec_type == "FUT" else (30 + h % 700)
            day = expiry - timedelta(days=back)
        else:
            day = _FIRST_LISTING + timedelta(days=h % _LISTING_SPAN_DAYS)
        day = next_trading_day(day - timedelta(days=1))
        sched = schedule_of(inst)
        return (sched.liquid if use_rth else sched.trading).window(day)[0]

    def ticks(
        self,
        inst: Instrument,
        start: datetime | None,
        end: datetime | None,
        now: datetime,
        count: int,
        what: str,
        use_rth: bool,
    ) -> list[HistTick]:
        return self._ticks.ticks(inst, start, end, now, count, what, use_rth)

    def histogram(
        self, inst: Instrument, now: datetime, period: str, use_rth: bool
    ) -> list[Bucket]:
        m = _PERIOD.match(" ".join(period.split()))
        if m is None:
            raise _invalid(f"Invalid time period: {period!r} (e.g. '3 days', '1 week')")
        n, unit = int(m[1]), m[2][0].upper()
        series_for(inst, "TRADES", self._market, self._options, self._catalogue)
        days = n * {"D": 1, "W": 7, "M": 31, "Y": 366}[unit]
        bar = "5 mins" if days <= 7 else "1 hour" if days <= 100 else "1 day"
        source = BarSource(self._market, self._options, self._catalogue)
        bars = source.bars(inst, now, now, f"{n} {unit}", bar, "TRADES", use_rth)
        if not bars:
            return []
        lo, hi = min(b.low for b in bars), max(b.high for b in bars)
        step = _step(hi - lo, inst.min_tick)
        weights: dict[int, float] = {}
        for b in bars:
            first, last = math.floor(b.low / step), math.floor(b.high / step)
            share = (b.volume if b.volume > 0 else 1.0) / (last - first + 1)
            for k in range(first, last + 1):
                weights[k] = weights.get(k, 0.0) + share
        return [
            Bucket(round_to_tick(k * step, inst.min_tick), round(w))
            for k, w in sorted(weights.items())
            if round(w) > 0
        ]


def _step(span: float, tick: float) -> float:
    """The smallest 1-2-2.5-5 step of at least a tick that cuts ``span`` into few buckets."""
    target = max(span / _MAX_BUCKETS, tick)
    scale = 10.0 ** math.floor(math.log10(target))
    for factor in (*_STEPS, 10):
        if factor * scale >= target - 1e-12:
            return max(factor * scale, tick)
    return 10 * scale

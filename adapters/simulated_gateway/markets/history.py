"""Historical bars cut from the same walks that drive live quotes.

A bar's open and close are the walk at its edges, its high and low an exact Brownian-bridge
draw between them, so bars of any size agree with each other at their edges and the last bar of
a request ending now closes at the live price.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta

from adapters.simulated_gateway.model import Bar, HistoricalDataError, Instrument

from .bar_grammar import MAX_BARS, Request, parse
from .bar_series import PriceSeries, series_for
from .instruments import Catalogue
from .market import Market
from .options import OptionPricer
from .sessions import Schedule, schedule_of, session_day
from .trading_calendar import SessionHours, is_trading_day


def no_definition(con_id: int) -> HistoricalDataError:
    return HistoricalDataError(200, f"No security definition has been found for conId {con_id}")


def _months_back(t: datetime, months: int) -> datetime:
    y, m = divmod(t.year * 12 + t.month - 1 - months, 12)
    day = min(t.day, calendar.monthrange(y, m + 1)[1])
    return t.replace(year=y, month=m + 1, day=day)


class BarSource:
    def __init__(self, market: Market, options: OptionPricer, catalogue: Catalogue) -> None:
        self._market = market
        self._options = options
        self._catalogue = catalogue

    def bars(
        self,
        inst: Instrument,
        end: datetime,
        now: datetime,
        duration: str,
        bar_size: str,
        what_to_show: str,
        use_rth: bool,
    ) -> list[Bar]:
        req = parse(duration, bar_size, what_to_show)
        series = series_for(inst, req.what, self._market, self._options, self._catalogue)
        if end.tzinfo is None:
            end = end.replace(tzinfo=schedule_of(inst).trading.tz)
        end = min(end, now)
        sched = schedule_of(inst)
        hours = sched.liquid if use_rth else sched.trading
        start = self._start(req, end, sched, hours)
        days = self._days(hours, start, end)
        if req.daily_or_longer:
            bars = self._daily(series, hours, days, start, end)
            if req.bar in ("1 week", "1 month"):
                bars = _aggregate(bars, weekly=req.bar == "1 week")
        else:
            bars = self._intraday(series, hours, days, start, end, req.bar_seconds)
        return bars[-MAX_BARS:]

    @staticmethod
    def _start(req: Request, end: datetime, sched: Schedule, hours: SessionHours) -> datetime:
        n = req.amount
        if req.unit == "S":
            return end - timedelta(seconds=n)
        if req.unit == "D":  # IB counts trading sessions, not calendar days
            d = session_day(hours, end)
            for _ in range(n - 1):
                d = sched.previous_day(d)
            return hours.window(d)[0]
        if req.unit == "W":
            return end - timedelta(weeks=n)
        if req.unit == "M":
            return _months_back(end, n)
        return _months_back(end, 12 * n)

    @staticmethod
    def _days(hours: SessionHours, start: datetime, end: datetime) -> list[date]:
        first = start.astimezone(hours.tz).date() - timedelta(days=1)
        last = session_day(hours, end)
        out, d = [], first
        while d <= last:
            if is_trading_day(d):
                out.append(d)
            d += timedelta(days=1)
        return out

    def _intraday(
        self,
        series: PriceSeries,
        hours: SessionHours,
        days: list[date],
        start: datetime,
        end: datetime,
        size: int,
    ) -> list[Bar]:
        spans: list[tuple[date, int, int]] = []
        first = start.timestamp()
        for d in days:
            ws, we = hours.window(d)
            if we <= start or ws >= end:
                continue
            midnight = int(datetime.combine(ws.date(), time(0), hours.tz).timestamp())
            a, stop = int(ws.timestamp()), int(min(we, end).timestamp())
            # skip the session's bars that end before the request starts (same boundaries)
            a = max(a, midnight + (int(first) - midnight) // size * size)
            # Bars sit on clock boundaries (10:00, 10:05...) with a short first bar at 09:30.
            while a < stop:
                b = min(midnight + ((a - midnight) // size + 1) * size, stop)
                if b > first:
                    spans.append((d, a, b))
                a = b
        if len(spans) > MAX_BARS:
            spans = spans[-MAX_BARS:]
        return series.bars(spans, hours.tz, daily=False)

    def _daily(
        self,
        series: PriceSeries,
        hours: SessionHours,
        days: list[date],
        start: datetime,
        end: datetime,
    ) -> list[Bar]:
        spans = []
        for d in days:
            ws, we = hours.window(d)
            if ws >= end or ws < start:  # a day counts if its session opened in range
                continue
            spans.append((d, int(ws.timestamp()), int(min(we, end).timestamp())))
        return series.bars(spans[-MAX_BARS:], hours.tz, daily=True)


def _aggregate(daily: list[Bar], weekly: bool) -> list[Bar]:
    """Fold daily bars into weeks (ISO) or calendar months, dated by their first day."""
    groups: dict[tuple[int, int], list[Bar]] = {}
    for b in daily:
        key = b.time.isocalendar()[:2] if weekly else (b.time.year, b.time.month)
        groups.setdefault(key, []).append(b)
    out = []
    for bars in groups.values():
        volume = sum(b.volume for b in bars) if bars[0].volume >= 0 else -1.0
        out.append(
            Bar(
                time=bars[0].time,
                open=bars[0].open,
                high=max(b.high for b in bars),
                low=min(b.low for b in bars),
                close=bars[-1].close,
                volume=volume,
                wap=bars[-1].wap if volume < 0 else _vwap(bars),
                count=sum(b.count for b in bars) if volume >= 0 else -1,
            )
        )
    return out


def _vwap(bars: list[Bar]) -> float:
    total = sum(b.volume for b in bars)
    if total <= 0:
        return bars[-1].wap
    return round(sum(b.wap * b.volume for b in bars) / total, 4)

"""Which session an instrument trades in at a given instant, and how volume spreads over it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from adapters.simulated_gateway.model import Instrument

from .trading_calendar import (
    FUTURE_GLOBEX,
    FUTURE_REGULAR,
    FX_IDEALPRO,
    INDEX_REGULAR,
    OPTION_REGULAR,
    STOCK_EXTENDED,
    STOCK_REGULAR,
    XETRA_EXTENDED,
    XETRA_REGULAR,
    SessionHours,
    is_trading_day,
)


@dataclass(frozen=True, slots=True)
class Schedule:
    """An instrument's full trading session and its regular (liquid) part."""

    trading: SessionHours
    liquid: SessionHours

    def day_at(self, t: datetime) -> date:
        """The trading day whose session has most recently opened at ``t``."""
        return session_day(self.trading, t)

    def previous_day(self, d: date) -> date:
        d -= timedelta(days=1)
        while not is_trading_day(d):
            d -= timedelta(days=1)
        return d


def session_day(hours: SessionHours, t: datetime) -> date:
    """The trading day whose ``hours`` window has most recently opened at ``t``."""
    d = t.astimezone(hours.tz).date() + timedelta(days=1)
    while not (is_trading_day(d) and hours.window(d)[0] <= t):
        d -= timedelta(days=1)
    return d


def schedule_of(inst: Instrument) -> Schedule:
    if inst.sec_type == "OPT":
        return Schedule(OPTION_REGULAR, OPTION_REGULAR)
    if inst.sec_type == "IND":
        return Schedule(INDEX_REGULAR, INDEX_REGULAR)
    if inst.sec_type == "FUT":
        return Schedule(FUTURE_GLOBEX, FUTURE_REGULAR)
    if inst.sec_type == "CASH":
        return Schedule(FX_IDEALPRO, FX_IDEALPRO)
    if inst.currency == "EUR":
        return Schedule(XETRA_EXTENDED, XETRA_REGULAR)
    return Schedule(STOCK_EXTENDED, STOCK_REGULAR)


# Shares of a day's volume traded before, during and after the regular session.
_PRE, _REGULAR, _POST = 0.03, 0.95, 0.02


def _u_shape(x: float) -> float:
    # Cumulative of the density 0.5 + 1.5 (2x - 1)^2: heavy at the open and the close.
    return 0.5 * x + 0.25 * ((2 * x - 1) ** 3 + 1)


def volume_fraction(schedule: Schedule, d: date, t: datetime) -> float:
    """Share of trading day ``d``'s volume done by ``t`` (0 before the open, 1 after the end)."""
    start, end = schedule.trading.window(d)
    open_, close = schedule.liquid.window(d)
    if t <= start:
        return 0.0
    if t >= end:
        return 1.0
    if open_ <= start and close >= end:  # no extended hours
        return _u_shape((t - start) / (end - start))
    if t < open_:
        return _PRE * (t - start) / (open_ - start)
    if t < close:
        return _PRE + _REGULAR * _u_shape((t - open_) / (close - open_))
    return _PRE + _REGULAR + _POST * (t - close) / (end - close)


def daily_volume_factor(z: float) -> float:
    """A lognormal day-to-day volume multiplier with mean ~1, from a standard normal draw."""
    return math.exp(0.3 * z - 0.045)

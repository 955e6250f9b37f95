"""IB's TWAP and VWAP algos on the simulated exchange: fills in slices over their window.

By time t a TWAP order has filled the share of its quantity that the elapsed share of its
window says (equal slices); a VWAP order the share of the window's expected volume (the
session's U-shaped volume curve). Each step fills the difference at the touch, within the
order's limit. At the end time whatever the limit kept unfilled is cancelled unless
allowPastEndTime. Adaptive works as its base order (IB's smart routing is not modelled).
"""

from __future__ import annotations

import math
from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from adapters.simulated_gateway.markets.sessions import schedule_of, session_day, volume_fraction
from adapters.simulated_gateway.markets.trading_calendar import EASTERN
from adapters.simulated_gateway.model import Instrument, OrderSpec

SLICED = ("Twap", "Vwap")


def _at(text: str, placed: datetime) -> datetime | None:
    clock, _, zone = text.strip().partition(" ")
    try:
        tz = ZoneInfo(zone) if zone else EASTERN
        hh, mm, ss = (int(part) for part in clock.split(":"))
        return datetime.combine(placed.astimezone(tz).date(), time(hh, mm, ss), tz)
    except (ValueError, ZoneInfoNotFoundError):
        return None


def window(spec: OrderSpec, inst: Instrument, placed: datetime) -> tuple[datetime, datetime]:
    """The algo's start and end: its startTime/endTime today, by default now to the close."""
    params = dict(spec.algo_params)
    hours = schedule_of(inst).liquid
    close = hours.window(session_day(hours, placed))[1]
    start = _at(params.get("startTime", ""), placed) or placed
    end = _at(params.get("endTime", ""), placed) or close
    return max(start, placed), max(end, max(start, placed))


def target(spec: OrderSpec, inst: Instrument, span: tuple[datetime, datetime], t: datetime
           ) -> float:  # fmt: skip
    """How much of the order should have filled by ``t``, in whole size increments."""
    start, end = span
    if t <= start:
        return 0.0
    if t >= end or end <= start:
        share = 1.0
    elif spec.algo_strategy == "Vwap":
        sched = schedule_of(inst)
        day = sched.day_at(start)
        lo, hi = volume_fraction(sched, day, start), volume_fraction(sched, day, end)
        share = 1.0 if hi <= lo else (volume_fraction(sched, day, t) - lo) / (hi - lo)
    else:
        share = (t - start) / (end - start)
    step = inst.size_increment or 1.0
    return math.floor(spec.total_quantity * share / step + 1e-9) * step


def may_run_past_end(spec: OrderSpec) -> bool:
    return dict(spec.algo_params).get("allowPastEndTime") == "1"

"""How the simulated exchange works IB's triggered and pegged order types on the price path.

Triggered types wait, as IB's simulated orders do (PreSubmitted), until the last price (the
touch when nothing traded) reaches their trigger: STP/STP LMT at the stop, MIT/LIT when the
price touches the trigger from the other side (a BUY at or below it), TRAIL/TRAIL LIMIT at a
stop that follows the best price by an amount or a percentage and never moves back. Outside
regular hours nothing triggers unless the order says outside_rth. Pegged types (REL,
MIDPRICE) price themselves from the quote at every step.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import datetime

from adapters.simulated_gateway.markets.market import round_to_tick
from adapters.simulated_gateway.markets.sessions import schedule_of, session_day
from adapters.simulated_gateway.model import Instrument, OrderRejected, OrderSpec, Quote

TRAILING = ("TRAIL", "TRAIL LIMIT")
TRIGGERED = ("STP", "STP LMT", "MIT", "LIT", *TRAILING)
PEGGED = ("REL", "MIDPRICE")
# The limit an order works at once it may execute (None: at the market).
_LIMIT_TYPES = ("LMT", "STP LMT", "TRAIL LIMIT", "LIT", "LOC")


def in_regular_hours(spec: OrderSpec, inst: Instrument, t: datetime) -> bool:
    """Whether the order may trigger or fill at ``t``: always with outside_rth, else only in
    the instrument's regular (liquid) hours."""
    if spec.outside_rth:
        return True
    hours = schedule_of(inst).liquid
    start, end = hours.window(session_day(hours, t))
    return start <= t < end


def reference(spec: OrderSpec, q: Quote) -> float:
    """The price a trigger watches: the last trade, else the side the order would take."""
    if not math.isnan(q.last):
        return q.last
    return q.ask if spec.action == "BUY" else q.bid


def trail_stop(spec: OrderSpec, ref: float, tick: float) -> float:
    """Where a trailing stop would sit with the market at ``ref``."""
    sign = 1.0 if spec.action == "BUY" else -1.0
    if spec.trailing_percent is not None:
        return round_to_tick(ref * (1 + sign * spec.trailing_percent / 100), tick)
    return round_to_tick(ref + sign * (spec.aux_price or 0.0), tick)


def follow(spec: OrderSpec, ref: float, tick: float) -> OrderSpec:
    """The spec with its trailing stop moved toward the market (never away from it). A TRAIL
    LIMIT given a limit price keeps that distance to the initial stop as its offset."""
    current = spec.trail_stop_price
    if spec.order_type == "TRAIL LIMIT" and spec.lmt_price_offset is None and current:
        spec = dataclasses.replace(
            spec, lmt_price_offset=abs((spec.lmt_price or current) - current)
        )
    candidate = trail_stop(spec, ref, tick)
    buy = spec.action == "BUY"
    if current is None or (candidate < current if buy else candidate > current):
        return dataclasses.replace(spec, trail_stop_price=candidate)
    return spec


def fires(spec: OrderSpec, ref: float) -> bool:
    """Whether the trigger is reached at ``ref``."""
    buy = spec.action == "BUY"
    if spec.order_type in TRAILING:
        stop = spec.trail_stop_price or 0.0
        return ref >= stop if buy else ref <= stop
    trigger = spec.aux_price or 0.0
    if spec.order_type in ("MIT", "LIT"):  # touched from the other side
        return ref <= trigger if buy else ref >= trigger
    return ref >= trigger if buy else ref <= trigger


def on_trigger(spec: OrderSpec, tick: float) -> OrderSpec:
    """A triggered TRAIL LIMIT becomes a limit order at the stop -/+ its offset."""
    if spec.order_type != "TRAIL LIMIT" or spec.trail_stop_price is None:
        return spec
    offset = spec.lmt_price_offset or 0.0
    sign = 1.0 if spec.action == "BUY" else -1.0
    limit = round_to_tick(spec.trail_stop_price + sign * offset, tick)
    return dataclasses.replace(spec, lmt_price=limit)


def limit_of(spec: OrderSpec) -> float | None:
    return spec.lmt_price if spec.order_type in _LIMIT_TYPES else None


def pegged_price(spec: OrderSpec, q: Quote) -> float | None:
    """Where a REL or MIDPRICE order fills now, or None while it waits.

    REL works at the bid + offset (a SELL at the ask - offset), capped by its limit; it fills
    at the ask when that reaches it, or at its own price once a trade prints there. MIDPRICE
    fills at the midpoint whenever the midpoint is within its cap.
    """
    buy = spec.action == "BUY"
    cap = spec.lmt_price
    if math.isnan(q.bid) or math.isnan(q.ask):
        return None
    if spec.order_type == "MIDPRICE":
        mid = round((q.bid + q.ask) / 2, 6)
        ok = cap is None or (mid <= cap if buy else mid >= cap)
        return mid if ok else None
    offset = spec.aux_price or 0.0
    peg = q.bid + offset if buy else q.ask - offset
    if cap is not None:
        peg = min(peg, cap) if buy else max(peg, cap)
    if q.ask <= peg if buy else q.bid >= peg:
        return q.ask if buy else q.bid
    if not math.isnan(q.last) and (q.last <= peg if buy else q.last >= peg):
        return round(peg, 6)
    return None


def _reject(text: str) -> OrderRejected:
    return OrderRejected(201, f"Order rejected - reason:{text}")


def check_terms(spec: OrderSpec) -> None:
    """IB's refusals of an order type without its terms, or with a combination it rejects."""
    kind, tif = spec.order_type, spec.tif
    if kind in TRAILING and not (_set(spec.aux_price) or _set(spec.trailing_percent)):
        raise _reject("Trailing amount or trailing percent must be specified for TRAIL orders.")
    if kind in ("MIT", "LIT") and not _set(spec.aux_price):
        raise _reject(f"A trigger price (auxPrice) is required for {kind} orders.")
    if kind in ("LOC", "LIT") and not _set(spec.lmt_price):
        raise _reject("A limit price is required.")
    if kind == "TRAIL LIMIT" and not (_set(spec.lmt_price_offset) or _set(spec.lmt_price)):
        raise _reject("A limit price offset or a limit price is required for TRAIL LIMIT.")
    if kind in ("MOC", "LOC") and tif != "DAY":
        raise _reject(f"Invalid time in force {tif} for {kind} orders: DAY only.")
    if tif in ("OPG", "FOK") and kind not in ("MKT", "LMT"):
        raise _reject(f"Time in force {tif} is not supported for {kind} orders.")
    if spec.algo_strategy and kind not in ("MKT", "LMT"):
        raise _reject(f"The {spec.algo_strategy} algo does not support {kind} orders.")
    if spec.algo_strategy and spec.algo_strategy not in ("Adaptive", "Twap", "Vwap"):
        raise _reject(f"Unknown algo strategy {spec.algo_strategy}.")


def _set(value: float | None) -> bool:
    return value is not None and value == value and 0 <= value < 1e300

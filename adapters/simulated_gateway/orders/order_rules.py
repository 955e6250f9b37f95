"""Static checks and time-in-force arithmetic for incoming orders."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from adapters.simulated_gateway.markets.market_rules import check_ticks
from adapters.simulated_gateway.markets.sessions import schedule_of
from adapters.simulated_gateway.markets.trading_calendar import EASTERN, is_trading_day
from adapters.simulated_gateway.model import Instrument, OrderRejected, OrderSpec

from .order_types import check_terms

ORDER_TYPES = ("MKT", "LMT", "STP", "STP LMT", "TRAIL", "TRAIL LIMIT", "MOC", "LOC", "MIT", "LIT",
               "REL", "MIDPRICE")  # fmt: skip
TIFS = ("DAY", "GTC", "IOC", "GTD", "OPG", "FOK")
LIVE = ("PreSubmitted", "Submitted", "PendingSubmit", "ApiPending")
DONE = ("Filled", "Cancelled", "ApiCancelled", "Inactive")


def validate(spec: OrderSpec, inst: Instrument) -> None:
    """Raise OrderRejected the way IB refuses malformed orders."""
    if inst.sec_type == "IND":
        raise OrderRejected(201, "Order rejected - reason:Index contracts are not tradable.")
    if spec.order_type not in ORDER_TYPES:
        raise OrderRejected(
            387, f"Unsupported order type {spec.order_type} for this exchange and security type."
        )
    if spec.action not in ("BUY", "SELL"):
        raise OrderRejected(201, f"Order rejected - reason:Invalid action {spec.action!r}.")
    if spec.total_quantity <= 0:
        raise OrderRejected(201, "Order rejected - reason:The order size must be positive.")
    if not fits_size_rule(spec.total_quantity, inst):
        raise OrderRejected(
            321,
            "Error validating request.-'v' : cause - Order size does not conform to market rule.",
        )
    if spec.tif not in TIFS:
        raise OrderRejected(201, f"Order rejected - reason:Invalid time in force {spec.tif}.")
    if spec.order_type in ("LMT", "STP LMT") and not _price(spec.lmt_price):
        raise OrderRejected(201, "Order rejected - reason:A limit price is required.")
    if spec.order_type in ("STP", "STP LMT") and not _price(spec.aux_price):
        raise OrderRejected(201, "Order rejected - reason:A stop price is required.")
    check_ticks(spec, inst)
    check_terms(spec)
    if spec.tif == "GTD" and parse_good_till(spec.good_till_date) is None:
        raise OrderRejected(
            201, "Order rejected - reason:A valid Good Till Date is required for GTD orders."
        )


def fits_size_rule(quantity: float, inst: Instrument) -> bool:
    """At least the minimum size, and a whole number of size increments (to a part in 1e9)."""
    steps = quantity / inst.size_increment
    return quantity >= inst.min_size and abs(steps - round(steps)) <= 1e-9 * max(1.0, steps)


def _price(p: float | None) -> bool:
    return p is not None and p == p and 0 < p < 1e300


def parse_good_till(text: str) -> datetime | None:
    """IB's 'YYYYMMDD HH:MM:SS[ tz]' (exchange time if no zone) or 'YYYYMMDD-HH:MM:SS' (UTC)."""
    text = text.strip()
    if not text:
        return None
    tz: ZoneInfo = EASTERN
    if "-" in text[:9] and len(text) >= 17:
        stamp, tz = text[:17].replace("-", " "), ZoneInfo("UTC")
    else:
        stamp, _, zone = text.partition(" ")
        clock, _, zone = zone.partition(" ")
        stamp = f"{stamp} {clock}".strip()
        if zone:
            try:
                tz = ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                return None
    for fmt in ("%Y%m%d %H:%M:%S", "%Y%m%d"):
        try:
            parsed = datetime.strptime(stamp, fmt)
        except ValueError:
            continue
        if fmt == "%Y%m%d":
            parsed = datetime.combine(parsed.date(), time(23, 59, 59))
        return parsed.replace(tzinfo=tz)
    return None


def expiry_of(spec: OrderSpec, inst: Instrument, placed: datetime) -> datetime | None:
    """When a resting order stops working: the session's end for DAY, the date for GTD."""
    if spec.tif == "GTD":
        return parse_good_till(spec.good_till_date)
    if spec.tif != "DAY":
        return None
    sched = schedule_of(inst)
    hours = sched.trading if spec.outside_rth else sched.liquid
    d = placed.astimezone(hours.tz).date()
    while not (is_trading_day(d) and hours.window(d)[1] > placed):
        d += timedelta(days=1)
    return hours.window(d)[1]

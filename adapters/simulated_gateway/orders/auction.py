"""The closing and opening auctions: MOC/LOC orders and OPG (at-the-open) orders.

MOC and LOC execute at the instrument's close, at the closing price (LOC only if that price
satisfies its limit, else it is cancelled). Like NYSE's and Nasdaq's rule for IB (orders
must be in by 15:50 ET), they are refused in the last ten minutes before the close; placed
after the close they wait for the next session's. OPG orders execute only at the next
opening auction, at the opening price, or are cancelled.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from adapters.simulated_gateway.markets.sessions import schedule_of
from adapters.simulated_gateway.markets.trading_calendar import is_trading_day
from adapters.simulated_gateway.model import Instrument, OrderRejected, OrderSpec, Quote

CLOSE_CUTOFF = timedelta(minutes=10)
ON_CLOSE = ("MOC", "LOC")


def auction_time(spec: OrderSpec, inst: Instrument, t: datetime) -> datetime | None:
    """When the order executes, if it is an auction order; raises OrderRejected past the
    cutoff."""
    hours = schedule_of(inst).liquid
    edge = 1 if spec.order_type in ON_CLOSE else 0 if spec.tif == "OPG" else None
    if edge is None:
        return None
    d = t.astimezone(hours.tz).date()
    while not (is_trading_day(d) and hours.window(d)[edge] > t):
        d += timedelta(days=1)
    at = hours.window(d)[edge]
    if edge == 1 and at - CLOSE_CUTOFF <= t:
        cutoff = (at - CLOSE_CUTOFF).strftime("%H:%M")
        raise OrderRejected(
            201,
            f"Order rejected - reason:{spec.order_type} orders must be submitted before "
            f"{cutoff} {hours.tz.key}, 10 minutes before the close",
        )
    return at


def auction_price(spec: OrderSpec, q: Quote, limit: float | None) -> float | None:
    """The auction's price for this order (the last trade at that instant, else the
    midpoint), or None when its limit is not satisfied."""
    price = q.last if not math.isnan(q.last) else (q.bid + q.ask) / 2
    if math.isnan(price):
        return None
    if limit is not None and (price > limit if spec.action == "BUY" else price < limit):
        return None
    return price

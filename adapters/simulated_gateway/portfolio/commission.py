"""IB-like commissions (fixed pricing), charged per order and spread over its fills."""

from __future__ import annotations

from adapters.simulated_gateway.model import Instrument


def multiplier(inst: Instrument) -> float:
    try:
        return float(inst.multiplier) if inst.multiplier else 1.0
    except ValueError:
        return 1.0


def order_commission(inst: Instrument, quantity: float, value: float) -> float:
    """Commission for ``quantity`` filled at total ``value`` (price x qty x multiplier).

    Stocks: USD 0.005/share, min 1.00, max 1% of value. Options: 0.65/contract, min 1.00.
    Futures: 0.85/contract. FX: 0.2 bp of value, min 2.00.
    """
    if quantity <= 0:
        return 0.0
    kind = inst.sec_type
    if kind == "OPT":
        fee = max(0.65 * quantity, 1.0)
    elif kind == "FUT":
        fee = 0.85 * quantity
    elif kind == "CASH":
        fee = max(0.00002 * abs(value), 2.0)
    else:
        fee = min(max(0.005 * quantity, 1.0), 0.01 * abs(value))
    return round(fee, 4)


def fill_commission(
    inst: Instrument,
    filled_before: float,
    value_before: float,
    shares: float,
    value: float,
) -> float:
    """The part of the order's commission this fill adds (minimums count once per order)."""
    total = order_commission(inst, filled_before + shares, value_before + value)
    already = order_commission(inst, filled_before, value_before)
    return round(max(total - already, 0.0), 4)

"""Order quantities that mean something: at least the contract's minimum size and a whole
multiple of its size increment (IB's minSize and sizeIncrement).

A quantity such as 1e-30 shares, or 1.5 shares of a stock IB trades in whole shares, is
refused before anything reaches IB: IB would reject it, or round it into another order.
"""

from __future__ import annotations

import math
from decimal import Decimal

from domain.contract import Contract
from domain.errors import InvalidRequest

# Without a size rule from IB an order is in whole shares or contracts.
WHOLE_UNITS = 1.0


def size_rule(contract: Contract) -> tuple[float, float]:
    """``(minimum, increment)`` of an order in ``contract``; whole units when IB gave no rule."""
    increment = _positive(contract.size_increment) or WHOLE_UNITS
    minimum = _positive(contract.min_size) or increment
    return max(minimum, increment), increment


def check_quantity(quantity: float, contract: Contract) -> None:
    """Raise InvalidRequest (field ``quantity``) unless the quantity fits the contract's rule."""
    if not (math.isfinite(quantity) and quantity > 0):
        raise InvalidRequest("quantity must be a finite number > 0", field="quantity")
    minimum, increment = size_rule(contract)
    if quantity < minimum:
        problem = f"is below the minimum size {_text(minimum)}"
    elif not _is_multiple(quantity, increment):
        problem = f"is not a multiple of the size increment {_text(increment)}"
    else:
        return
    unit = " (whole units)" if increment == WHOLE_UNITS else ""
    at_least = f", at least {_text(minimum)}" if minimum > increment else ""
    raise InvalidRequest(
        f"quantity {_text(quantity)} {problem} of {_name(contract)}: order a positive multiple "
        f"of {_text(increment)}{unit}{at_least}",
        field="quantity",
    )


def _positive(value: object) -> float | None:
    if isinstance(value, int | float) and math.isfinite(value) and value > 0:
        return float(value)
    return None


def _is_multiple(quantity: float, increment: float) -> bool:
    # In decimal, as the caller wrote it: 0.3 is a multiple of 0.1, which binary floats deny.
    ratio = Decimal(repr(quantity)) / Decimal(repr(increment))
    return ratio == ratio.to_integral_value()


def _text(value: float) -> str:
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _name(contract: Contract) -> str:
    label = contract.local_symbol or contract.symbol or f"contract {contract.con_id}"
    return f"{label} ({contract.sec_type})"

"""exerciseOptions (message 21) on the paper account: exercise or lapse a long option.

Real IB takes the instruction during the day and processes it after the close (the stock
arrives the next morning). The simulator books it at once, so that clients see the outcome:
an exercise closes the option at zero and delivers the underlying at the strike (a call buys
it, a put sells it; quantity x multiplier shares, no commission); a cash-settled index option
closes at its intrinsic value instead. A lapse closes the option at zero. IB's ``override``
flag (act against the automatic action at expiry) is accepted and changes nothing here.
"""

from __future__ import annotations

from datetime import date

from adapters.simulated_gateway.model import Instrument
from adapters.simulated_gateway.portfolio.account import PaperAccount
from adapters.simulated_gateway.portfolio.commission import multiplier

EXERCISE, LAPSE = 1, 2
_INVALID = "Error validating request.-'bE' : cause - "


class ExerciseRefused(Exception):
    """IB's error for a refused instruction (code and text as IB sends them)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def exercise(
    book: PaperAccount,
    option: Instrument,
    underlying: Instrument | None,
    action: int,
    quantity: int,
    today: date,
    under_price: float,
) -> None:
    """Book the instruction, or raise ``ExerciseRefused`` (IB's 321 with its cause)."""
    if option.sec_type not in ("OPT", "FOP") or underlying is None:
        raise ExerciseRefused(321, _INVALID + "Only options can be exercised or lapsed")
    if action not in (EXERCISE, LAPSE):
        raise ExerciseRefused(321, _INVALID + f"Invalid exercise action: {action}")
    if quantity <= 0:
        raise ExerciseRefused(321, _INVALID + f"Invalid exercise quantity: {quantity}")
    if option.last_trade_date and option.last_trade_date < f"{today:%Y%m%d}":
        raise ExerciseRefused(321, _INVALID + "The option has expired")
    holding = book.holdings.get(option.con_id)
    held = holding.quantity if holding is not None else 0.0
    if held < quantity:
        raise ExerciseRefused(
            321,
            _INVALID + f"Exercise quantity {quantity} exceeds the long position of {held:g}",
        )
    call = option.right.upper().startswith("C")
    cash_settled = underlying.sec_type == "IND"
    intrinsic = 0.0
    if action == EXERCISE and cash_settled:
        gain = under_price - option.strike if call else option.strike - under_price
        intrinsic = max(gain, 0.0)
    book.apply_fill(option, "SLD", quantity, intrinsic, 0.0)
    if action == EXERCISE and not cash_settled:
        shares = quantity * multiplier(option)
        book.apply_fill(underlying, "BOT" if call else "SLD", shares, option.strike, 0.0)

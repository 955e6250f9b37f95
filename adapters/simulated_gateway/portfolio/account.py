"""The paper account's books: cash per currency and positions with IB's cost conventions.

IB folds commissions into average cost (buys cost more, short sales credit less) and reports
realized PnL net of both the opening share and the closing commission; we do the same.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from adapters.simulated_gateway.model import Instrument

from .commission import multiplier

NAN = float("nan")


@dataclass(slots=True)
class Holding:
    instrument: Instrument
    quantity: float = 0.0
    avg_cost: float = 0.0  # per unit (share or contract), multiplier and commissions included
    realized: float = 0.0
    fee_per_unit: float = 0.0  # the commission folded into avg_cost (signed like the fee)


class PaperAccount:
    def __init__(self, account_id: str, cash: float, base_currency: str = "USD") -> None:
        self.account_id = account_id
        self.base_currency = base_currency
        self.cash: dict[str, float] = {base_currency: cash}
        self.holdings: dict[int, Holding] = {}

    def apply_fill(
        self, inst: Instrument, side: str, shares: float, price: float, commission: float
    ) -> float:
        """Book one execution; returns its realized PnL, NaN when it only opened or added."""
        mult = multiplier(inst)
        signed = shares if side == "BOT" else -shares
        ccy = inst.currency
        # Futures settle daily in cash: buying one exchanges no notional, only the fee.
        if inst.sec_type != "FUT":
            self.cash[ccy] = self.cash.get(ccy, 0.0) - signed * price * mult
        self.cash[ccy] = self.cash.get(ccy, 0.0) - commission
        h = self.holdings.setdefault(inst.con_id, Holding(inst))
        if h.quantity == 0 or (h.quantity > 0) == (signed > 0):
            self._open(h, signed, price * mult, commission)
            return NAN
        closing = min(shares, abs(h.quantity))
        fee_close = commission * closing / shares
        if h.quantity > 0:
            pnl = closing * (price * mult - h.avg_cost) - fee_close
        else:
            pnl = closing * (h.avg_cost - price * mult) - fee_close
        if inst.sec_type == "FUT":
            # The notional never moved through cash, so the gross gain does now.
            opening_fee = (1 if h.quantity > 0 else -1) * closing * h.fee_per_unit
            self.cash[ccy] += pnl + fee_close + opening_fee
        h.realized += pnl
        h.quantity += math.copysign(closing, signed)
        if abs(h.quantity) < 1e-9:
            h.quantity, h.avg_cost, h.fee_per_unit = 0.0, 0.0, 0.0
        rest = shares - closing
        if rest > 1e-9:  # the order flipped the position
            self._open(h, math.copysign(rest, signed), price * mult, commission - fee_close)
        return pnl

    @staticmethod
    def _open(h: Holding, signed: float, unit_value: float, commission: float) -> None:
        # Commission raises a long's cost and lowers a short's credit.
        fee = commission if signed > 0 else -commission
        total = abs(h.quantity) * h.avg_cost + abs(signed) * unit_value + fee
        fees = abs(h.quantity) * h.fee_per_unit + fee
        h.quantity += signed
        h.avg_cost = total / abs(h.quantity)
        h.fee_per_unit = fees / abs(h.quantity)

    def realized_total(self) -> float:
        return sum(h.realized for h in self.holdings.values())

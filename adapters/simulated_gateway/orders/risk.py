"""Pre-trade risk: what-if margin impact and the buying-power check behind IB's reject 201."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime

from adapters.simulated_gateway.model import Instrument, OrderRejected, OrderSpec, Quote, WhatIf
from adapters.simulated_gateway.portfolio.commission import multiplier, order_commission
from adapters.simulated_gateway.portfolio.margin import Valuation

Valuer = Callable[[tuple[Instrument, float, float] | None], Valuation]
QuoteAt = Callable[[Instrument, datetime], Quote]


def _s(x: float) -> str:
    return f"{x:.2f}"


class RiskDesk:
    def __init__(self, quote: QuoteAt, valuation: Valuer) -> None:
        self._quote = quote
        self._valuation = valuation

    def impact(self, spec: OrderSpec, inst: Instrument, t: datetime) -> tuple[float, float]:
        """(signed quantity, reference price) of an order, for margin arithmetic."""
        q = self._quote(inst, t)
        buy = spec.action == "BUY"
        touch = q.ask if buy else q.bid
        if spec.order_type in ("LMT", "STP LMT") and spec.lmt_price:
            price = spec.lmt_price
        elif spec.order_type == "STP" and spec.aux_price:
            price = spec.aux_price
        else:
            price = touch if not math.isnan(touch) else q.last
        return (spec.total_quantity if buy else -spec.total_quantity), price

    def _before_after(
        self, spec: OrderSpec, inst: Instrument, t: datetime
    ) -> tuple[Valuation, Valuation, float]:
        qty, price = self.impact(spec, inst, t)
        fee = order_commission(inst, abs(qty), abs(qty) * price * multiplier(inst))
        return self._valuation(None), self._valuation((inst, qty, price)), fee

    def what_if(self, spec: OrderSpec, inst: Instrument, t: datetime) -> WhatIf:
        before, after, fee = self._before_after(spec, inst, t)
        elv_after = after.equity_with_loan - fee
        return WhatIf(
            init_margin_before=_s(before.init_margin),
            maint_margin_before=_s(before.maint_margin),
            equity_with_loan_before=_s(before.equity_with_loan),
            init_margin_change=_s(after.init_margin - before.init_margin),
            maint_margin_change=_s(after.maint_margin - before.maint_margin),
            equity_with_loan_change=_s(elv_after - before.equity_with_loan),
            init_margin_after=_s(after.init_margin),
            maint_margin_after=_s(after.maint_margin),
            equity_with_loan_after=_s(elv_after),
            commission=fee,
            min_commission=fee,
            max_commission=fee,
            commission_currency=inst.currency,
        )

    def check(self, spec: OrderSpec, inst: Instrument, t: datetime) -> None:
        """Refuse orders whose fill would leave equity short of the initial margin."""
        before, after, fee = self._before_after(spec, inst, t)
        if after.init_margin <= before.init_margin + 1e-9:
            return  # orders that reduce risk are always accepted
        # IB quotes the account's Equity with Loan Value as it stands (the account summary's
        # EquityWithLoanValue, from the same valuation) against the margin the order would need
        elv = before.equity_with_loan
        if elv - fee < after.init_margin:
            raise OrderRejected(
                201,
                "Order rejected - reason:Your order is not accepted because your Equity with "
                f"Loan Value of [{elv:.2f} USD] is insufficient to cover the Initial Margin "
                f"requirement of [{after.init_margin:.2f} USD]",
            )

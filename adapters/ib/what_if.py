"""IB's what-if check of an order, and whether the session trades real money.

A what-if order is an order with ``whatIf=True``: IB answers with an ``OrderState`` holding the
commission and the margin before/change/after, and places nothing. IB sends the margin figures
as strings and leaves absent numbers empty or at ``UNSET_DOUBLE`` (the largest double).
"""

from __future__ import annotations

import math
from typing import Any

from ib_async import OrderState

from adapters.ib import mapping
from adapters.ib.calls import IbCalls
from domain.contract import Contract
from domain.errors import OrderRejected, ReadOnly
from domain.orders import OrderRequest
from domain.safety import WhatIf, is_paper_account

# IB's "no value": UNSET_DOUBLE is sys.float_info.max (1.797e308); anything that large is unset.
_UNSET_ABOVE = 1e300


def ib_number(value: Any) -> float | None:
    """An ``OrderState`` number (a string or a float) as a float; None when IB sent none."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number) or abs(number) >= _UNSET_ABOVE:
        return None
    return number


def what_if_from_state(state: OrderState) -> WhatIf:
    return WhatIf(
        commission=ib_number(state.commission),
        min_commission=ib_number(state.minCommission),
        max_commission=ib_number(state.maxCommission),
        commission_currency=state.commissionCurrency or None,
        init_margin_change=ib_number(state.initMarginChange),
        init_margin_after=ib_number(state.initMarginAfter),
        maint_margin_change=ib_number(state.maintMarginChange),
        maint_margin_after=ib_number(state.maintMarginAfter),
        equity_with_loan_change=ib_number(state.equityWithLoanChange),
        equity_with_loan_after=ib_number(state.equityWithLoanAfter),
        warning_text=state.warningText or None,
    )


class IbWhatIf:
    def __init__(self, calls: IbCalls) -> None:
        self._calls = calls

    async def what_if(self, contract: Contract, request: OrderRequest) -> WhatIf:
        if self._calls.settings.readonly:
            raise ReadOnly("This service runs read-only: orders cannot be previewed")
        ib = self._calls.require(trading=True)
        managed = ib.managedAccounts()
        default = self._calls.settings.account or (managed[0] if len(managed) == 1 else None)
        order = mapping.to_ib_order(request, account=default)
        ib_contract = mapping.to_ib_contract(contract)
        state = await self._calls.run(
            "the what-if check of the order",
            lambda ib: ib.whatIfOrderAsync(ib_contract, order),
            trading=True,
        )
        if not isinstance(state, OrderState):
            raise OrderRejected("IB answered the what-if check of the order with nothing")
        return what_if_from_state(state)

    async def account_is_live(self) -> bool:
        """True when any account of the session is a real-money one (not DU.../DF...)."""
        ib = self._calls.require()
        return any(not is_paper_account(account) for account in ib.managedAccounts())

"""IB's what-if check of an order, and whether the session trades real money.

A what-if order is an order with ``whatIf=True``: IB answers with an ``OrderState`` holding the
commission and the margin before/change/after, and places nothing. IB sends the margin figures
as strings and leaves absent numbers empty or at ``UNSET_DOUBLE``: ``mapping.number`` reads
them.
"""

from __future__ import annotations

from ib_async import OrderState

from adapters.ib import mapping
from adapters.ib.calls import IbCalls
from domain.contract import Contract
from domain.errors import OrderRejected, ReadOnly
from domain.orders import OrderRequest
from domain.safety import WhatIf, is_paper_account


def what_if_from_state(state: OrderState) -> WhatIf:
    return WhatIf(
        commission=mapping.number(state.commission),
        min_commission=mapping.number(state.minCommission),
        max_commission=mapping.number(state.maxCommission),
        commission_currency=state.commissionCurrency or None,
        init_margin_change=mapping.number(state.initMarginChange),
        init_margin_after=mapping.number(state.initMarginAfter),
        maint_margin_change=mapping.number(state.maintMarginChange),
        maint_margin_after=mapping.number(state.maintMarginAfter),
        equity_with_loan_change=mapping.number(state.equityWithLoanChange),
        equity_with_loan_after=mapping.number(state.equityWithLoanAfter),
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

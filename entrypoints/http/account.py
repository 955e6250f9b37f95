"""REST endpoints for the account: headline figures, raw values, positions."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from application.services.account import AccountService
from domain.account import AccountSummary, AccountValue, Position
from entrypoints.http.errors import responses

AccountId = Annotated[
    str | None,
    QueryParameter(
        description="IB account code such as DU1234567; the gateway's default account when omitted"
    ),
]


class AccountController(Controller):
    path = "/ibkr/account"
    tags = ["account"]

    @get(
        "/summary",
        operation_id="get_account_summary",
        summary="Account summary",
        responses=responses(400, 503, 504),
    )
    async def summary(
        self, account_service: NamedDependency[AccountService], account_id: AccountId = None
    ) -> AccountSummary:
        """Headline figures of the trading account, in its base currency.

        Net liquidation value (what the account would be worth if everything were sold now),
        cash, the market value of positions, profit and loss, the funds available for new
        trades, excess liquidity (margin cushion), buying power and leverage. A figure the
        broker did not report is null.
        """
        return await account_service.summary(account_id)

    @get(
        "/values",
        operation_id="get_account_values",
        summary="Raw account values",
        responses=responses(400, 503, 504),
    )
    async def values(
        self,
        account_service: NamedDependency[AccountService],
        account_id: AccountId = None,
        key: Annotated[
            str | None,
            QueryParameter(description="Only values whose key contains this text, e.g. Margin"),
        ] = None,
    ) -> list[AccountValue]:
        """Every raw account value Interactive Brokers reports, as key, text value and currency.

        This is the full list behind the summary (hundreds of entries such as
        ``NetLiquidation``, ``MaintMarginReq`` or ``CashBalance`` per currency). Use ``key``
        to keep only the entries whose name contains a word.
        """
        return await account_service.values(account_id, key)

    @get(
        "/positions",
        operation_id="get_positions",
        summary="Positions",
        responses=responses(400, 503, 504),
    )
    async def positions(
        self, account_service: NamedDependency[AccountService], account_id: AccountId = None
    ) -> list[Position]:
        """Current holdings: one entry per contract with quantity, cost and profit.

        ``position`` is the number of shares or contracts (negative when short);
        ``average_cost`` is per unit including commissions; ``market_value`` and the PnL
        figures already include the contract multiplier (100 for most US options). Options
        also carry ``expiry``, ``strike`` and ``right`` (C for call, P for put).
        """
        return await account_service.positions(account_id)

"""Account summary, raw account values and positions.

ib_async keeps account values and the portfolio live (subscribed at connect); positions are
asked for afresh so that a position opened by another session shows up at once. Concurrent
callers share one such request (ib_async keys it by a fixed name: one at a time anyway).
"""

from __future__ import annotations

from ib_async import IB

from adapters.ib import mapping
from adapters.ib.calls import IbCalls
from adapters.ib.pacing import SingleFlight
from domain.account import AccountSummary, AccountValue, Position
from domain.errors import InvalidRequest, UnknownAccount


class IbAccount:
    def __init__(self, calls: IbCalls) -> None:
        self._calls = calls
        self._flight = SingleFlight()

    def account_of(self, ib: IB, account_id: str | None) -> str:
        """The managed account ``account_id`` names, or the default one."""
        managed = ib.managedAccounts()
        wanted = account_id or self._calls.settings.account
        if wanted:
            if managed and wanted not in managed:
                raise UnknownAccount(
                    f"Account {wanted} is not managed by this IB session",
                    field="account_id",
                    accepted=list(managed),
                )
            return wanted
        if not managed:
            raise InvalidRequest("The IB session reports no account", field="account_id")
        return managed[0]

    def order_account(self, account_id: str | None) -> str:
        """The account an order goes to (see ``Broker.order_account``)."""
        managed = self._calls.require().managedAccounts()
        wanted = account_id or self._calls.settings.account
        if wanted:
            if wanted not in managed:
                listed = ", ".join(managed) or "none"
                raise UnknownAccount(
                    f"Account {wanted} is not managed by this IB session (managed: {listed})",
                    field="account_id",
                    accepted=list(managed),
                )
            return wanted
        return managed[0] if len(managed) == 1 else ""

    async def summary(self, account_id: str | None) -> AccountSummary:
        ib = self._calls.require()
        account = self.account_of(ib, account_id)
        values = ib.accountValues(account)
        if not any(v.tag == "NetLiquidation" for v in values):
            # not in the live subscription (e.g. its start-up sync timed out): ask IB directly
            values = await self._calls.run(
                "the account summary",
                lambda ib: ib.accountSummaryAsync(account),
                serial="accountSummary",
            )
        return mapping.account_summary(account, values)

    async def values(self, account_id: str | None) -> list[AccountValue]:
        ib = self._calls.require()
        account = self.account_of(ib, account_id)
        values = ib.accountValues(account)
        if not values:
            values = await self._calls.run(
                "the account values",
                lambda ib: ib.accountSummaryAsync(account),
                serial="accountSummary",
            )
        return [mapping.account_value(v) for v in values]

    async def positions(self, account_id: str | None) -> list[Position]:
        ib = self._calls.require()
        account = self.account_of(ib, account_id)
        held = await self._flight.run(
            "positions",
            lambda: self._calls.run(
                "the positions", lambda ib: ib.reqPositionsAsync(), serial="positions"
            ),
        )
        portfolio = {item.contract.conId: item for item in ib.portfolio(account)}
        latest = {p.contract.conId: p for p in held if p.account == account}
        return [
            mapping.position(p.contract, p.position, p.avgCost, portfolio.get(con_id))
            for con_id, p in latest.items()
            if p.position
        ]

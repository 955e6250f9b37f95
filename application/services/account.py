"""Account figures: summary, raw values, positions, portfolio, profit and loss."""

from __future__ import annotations

from application.ports import Broker
from domain.account import (
    AccountPnl,
    AccountSummary,
    AccountValue,
    PortfolioItem,
    Position,
    PositionPnl,
)


class AccountService:
    def __init__(self, broker: Broker) -> None:
        self._broker = broker

    async def summary(self, account_id: str | None = None) -> AccountSummary:
        """Headline figures of the account (the default account when none is named)."""
        return await self._broker.account_summary(account_id or None)

    async def values(
        self, account_id: str | None = None, key: str | None = None
    ) -> list[AccountValue]:
        """Every raw account value IB reports, optionally only those whose key contains ``key``."""
        values = await self._broker.account_values(account_id or None)
        if key:
            needle = key.lower()
            values = [v for v in values if needle in v.key.lower()]
        return values

    async def positions(self, account_id: str | None = None) -> list[Position]:
        positions = await self._broker.positions(account_id or None)
        return sorted(positions, key=lambda p: (p.asset_class, p.symbol, p.contract_id))

    async def portfolio(self, account_id: str | None = None) -> list[PortfolioItem]:
        items = await self._broker.portfolio(account_id or None)
        return sorted(items, key=lambda p: (p.sec_type, p.symbol, p.contract_id))

    async def pnl(self, account_id: str | None = None) -> AccountPnl:
        return await self._broker.account_pnl(account_id or None)

    async def position_pnl(self, contract_id: int, account_id: str | None = None) -> PositionPnl:
        return await self._broker.position_pnl(account_id or None, contract_id)

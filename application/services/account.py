"""Account figures: summary, raw values, positions."""

from __future__ import annotations

from application.ports import Broker
from domain.account import AccountSummary, AccountValue, Position


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

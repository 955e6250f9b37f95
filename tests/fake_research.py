"""The fake broker's reference data (``application.research_ports.ResearchBroker``).

No market rule unless a test sets one (``rules[con_id]``), so that orders in other tests are
not held to ticks; symbols and schedules are what a test puts in."""

from __future__ import annotations

from typing import Any

from domain.contract import Contract
from domain.errors import ContractNotFound
from domain.market_rules import MarketRule, PriceIncrement
from domain.symbols import SymbolMatch
from domain.trading_hours import IbSchedule

US_STOCK_RULE = MarketRule(
    rule_id=26,
    exchanges=["SMART", "NASDAQ"],
    increments=[PriceIncrement(low_edge=0.0, increment=0.0001),
                PriceIncrement(low_edge=1.0, increment=0.01)],
)  # fmt: skip


class FakeResearch:
    rules: dict[int, list[MarketRule]]
    symbols: list[SymbolMatch]
    schedules: dict[int, IbSchedule]
    rule_calls: int = 0

    async def search_symbols(self, pattern: str) -> list[SymbolMatch]:
        fake: Any = self
        fake._record("search_symbols", pattern)
        wanted = pattern.upper()
        return [m for m in self.symbols
                if wanted in m.symbol.upper() or wanted in m.description.upper()]  # fmt: skip

    async def market_rules(self, contract: Contract) -> list[MarketRule]:
        fake: Any = self
        fake._record("market_rules", contract.con_id)
        self.rule_calls += 1
        return list(self.rules.get(contract.con_id, []))

    async def trading_schedule(self, contract: Contract) -> IbSchedule:
        fake: Any = self
        fake._record("trading_schedule", contract.con_id)
        schedule = self.schedules.get(contract.con_id)
        if schedule is None:
            raise ContractNotFound(f"no schedule for {contract.con_id}")
        return schedule

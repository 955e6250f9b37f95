"""The broker's reference data for research: symbol search, market rules, session hours.

Kept apart from ``ports.Broker`` (as ``group_ports``) so that a broker without them still is
a ``Broker``; the IB adapter (and the test fake) implement it.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from domain.contract import Contract
from domain.market_rules import MarketRule
from domain.symbols import SymbolMatch
from domain.trading_hours import IbSchedule


@runtime_checkable
class ResearchBroker(Protocol):
    async def search_symbols(self, pattern: str) -> list[SymbolMatch]:
        """IB's matching symbols for a partial symbol or name (at most 16)."""
        ...

    async def market_rules(self, contract: Contract) -> list[MarketRule]:
        """The contract's market rules, each with the exchanges that use it (empty when IB
        names none)."""
        ...

    async def trading_schedule(self, contract: Contract) -> IbSchedule:
        """IB's trading and liquid hours strings of the contract, with its time zone."""
        ...

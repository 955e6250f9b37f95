"""The broker's historical trading schedule (IB's reqHistoricalData whatToShow=SCHEDULE).

Kept apart from ``ports.Broker`` (as ``research_ports``) so that a broker without it still is
a ``Broker``; the IB adapter (and the test fake) implement it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

from domain.contract import Contract
from domain.trading_schedule import BrokerSchedule


@runtime_checkable
class ScheduleBroker(Protocol):
    async def historical_schedule(
        self, contract: Contract, days: int, end: datetime | None, use_rth: bool
    ) -> BrokerSchedule:
        """The sessions of the last ``days`` trading days up to ``end`` (None: now), oldest
        first; regular sessions only with ``use_rth``."""
        ...

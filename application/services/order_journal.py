"""An order journal kept in memory: for tests and embedded use, one process only.

The service itself keeps its journal in SQLite or PostgreSQL (``adapters/journal``).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable

from domain.journal import JournalRecord


class MemoryOrderJournal:
    """The ``OrderJournal`` port in a dict of at most ``capacity`` keys (oldest out first)."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._records: OrderedDict[tuple[str, str], JournalRecord] = OrderedDict()
        self._capacity = capacity
        self._lock = asyncio.Lock()

    async def claim(
        self,
        account: str,
        key: str,
        decide: Callable[[JournalRecord | None], JournalRecord | None],
    ) -> None:
        async with self._lock:
            record = decide(self._records.get((account, key)))
            if record is not None:
                self._store(record)

    async def save(self, record: JournalRecord) -> bool:
        async with self._lock:
            current = self._records.get((record.account, record.key))
            if current is not None and current.attempt != record.attempt:
                return False
            self._store(record)
            return True

    async def get(self, account: str, key: str) -> JournalRecord | None:
        return self._records.get((account, key))

    def _store(self, record: JournalRecord) -> None:
        self._records[(record.account, record.key)] = record
        self._records.move_to_end((record.account, record.key))
        while len(self._records) > self._capacity:
            self._records.popitem(last=False)

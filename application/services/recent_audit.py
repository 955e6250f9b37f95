"""An audit trail kept in memory only: the default when no audit file is configured."""

from __future__ import annotations

from collections import deque

from domain.safety import AuditEntry


class MemoryAuditLog:
    """The last ``capacity`` entries; gone when the process ends (tests, embedded use).

    The service itself always configures a file (``adapters/audit/jsonl.py``).
    """

    def __init__(self, capacity: int = 1000) -> None:
        self._entries: deque[AuditEntry] = deque(maxlen=capacity)

    async def append(self, entry: AuditEntry) -> None:
        self._entries.append(entry)

    async def recent(self, limit: int) -> list[AuditEntry]:
        if limit <= 0:
            return []
        return list(reversed(self._entries))[:limit]

"""The order journal (``application.ports.OrderJournal``): SQLite on one host, PostgreSQL across hosts."""

from __future__ import annotations

from adapters.journal.dsn import open_journal

__all__ = ["open_journal"]

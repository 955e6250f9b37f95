"""The order journal in PostgreSQL: shared by instances on different hosts.

A claim is one transaction that first takes a transaction-scoped advisory lock on the key, so
two claims of the same key — from any host — run one after the other.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from adapters.journal.codec import decode, encode
from adapters.journal.sqlite import RETENTION_DAYS
from domain.errors import JournalUnavailable
from domain.journal import JournalRecord

SCHEMA = """
CREATE TABLE IF NOT EXISTS order_journal (
    account    TEXT        NOT NULL,
    key        TEXT        NOT NULL,
    attempt    INTEGER     NOT NULL,
    state      TEXT        NOT NULL,
    order_id   BIGINT,
    updated_at TIMESTAMPTZ NOT NULL,
    record     TEXT        NOT NULL,
    PRIMARY KEY (account, key)
)
"""
_SELECT = "SELECT record FROM order_journal WHERE account = $1 AND key = $2"
_UPSERT = (
    "INSERT INTO order_journal (account, key, attempt, state, order_id, updated_at, record) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (account, key) DO UPDATE SET "
    "attempt = excluded.attempt, state = excluded.state, order_id = excluded.order_id, "
    "updated_at = excluded.updated_at, record = excluded.record"
)
_SAVE = (
    "UPDATE order_journal SET state = $4, order_id = $5, updated_at = $6, record = $7 "
    "WHERE account = $1 AND key = $2 AND attempt = $3"
)
_PRUNE = "DELETE FROM order_journal WHERE updated_at < $1 AND state != 'pending'"
# Two 32-bit halves of the lock key: a fixed namespace for this table, and the key's hash.
_LOCK = (
    "SELECT pg_advisory_xact_lock(hashtext('ibkr-mcp.order_journal'), hashtext($1 || ' ' || $2))"
)


class PostgresOrderJournal:
    """The ``OrderJournal`` port on the PostgreSQL database at ``dsn``."""

    def __init__(
        self,
        dsn: str,
        *,
        timeout: float = 10.0,
        max_connections: int = 4,
        retention_days: float = RETENTION_DAYS,
    ) -> None:
        self._dsn = dsn
        self._retention = timedelta(days=retention_days)
        self._timeout = timeout
        self._max = max_connections
        self._pool: asyncpg.Pool | None = None

    async def open(self) -> None:
        """Connect and create the table; a wrong DSN or a server that is down fails here."""
        self._pool = await asyncpg.create_pool(
            self._dsn, min_size=1, max_size=self._max, timeout=self._timeout,
            command_timeout=self._timeout,
        )  # fmt: skip
        async with self._pool.acquire() as conn:
            await conn.execute(SCHEMA)
            await conn.execute(_PRUNE, datetime.now(UTC) - self._retention)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def claim(
        self,
        account: str,
        key: str,
        decide: Callable[[JournalRecord | None], JournalRecord | None],
    ) -> None:
        async with self._connection() as conn, conn.transaction():
            await conn.execute(_LOCK, account, key)
            row = await conn.fetchrow(_SELECT, account, key)
            record = decide(decode(row["record"]) if row else None)
            if record is not None:
                await conn.execute(_UPSERT, *_columns(record))

    async def save(self, record: JournalRecord) -> bool:
        async with self._connection() as conn:
            status = await conn.execute(_SAVE, *_columns(record))
        return bool(status.endswith(" 1"))

    async def get(self, account: str, key: str) -> JournalRecord | None:
        async with self._connection() as conn:
            row = await conn.fetchrow(_SELECT, account, key)
        return decode(row["record"]) if row else None

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection, waited for at most ``timeout`` s; the database's failures
        (down, unreachable, a statement past ``timeout``) as ``JournalUnavailable``."""
        if self._pool is None:
            raise JournalUnavailable("the order journal is not open")
        try:
            async with self._pool.acquire(timeout=self._timeout) as conn:
                yield conn
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError) as exc:
            raise JournalUnavailable(f"the order journal (PostgreSQL) failed: {exc}") from exc


def _columns(record: JournalRecord) -> tuple[Any, ...]:
    return (record.account, record.key, record.attempt, record.state, record.order_id,
            record.updated_at, encode(record))  # fmt: skip

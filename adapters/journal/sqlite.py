"""The order journal in one SQLite file (WAL): shared safely by every process on this host.

Claims run as ``BEGIN IMMEDIATE`` transactions, which SQLite serialises across processes;
calls run one at a time on a worker thread that owns the connection, so the event loop never
waits on the disk.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from adapters.journal.codec import decode, encode
from domain.errors import JournalUnavailable
from domain.journal import JournalRecord

T = TypeVar("T")
# How long a claim waits for another process's transaction before it fails.
BUSY_TIMEOUT_MS = 10_000
SCHEMA = """
CREATE TABLE IF NOT EXISTS order_journal (
    account    TEXT    NOT NULL,
    key        TEXT    NOT NULL,
    attempt    INTEGER NOT NULL,
    state      TEXT    NOT NULL,
    order_id   INTEGER,
    updated_at TEXT    NOT NULL,
    record     TEXT    NOT NULL,
    PRIMARY KEY (account, key)
)
"""


# Keys untouched this long are forgotten at start-up (claims still pending are kept).
RETENTION_DAYS = 30.0
PRUNE = "DELETE FROM order_journal WHERE updated_at < ? AND state != 'pending'"


class SqliteOrderJournal:
    """The ``OrderJournal`` port on the SQLite database at ``path`` (created mode 0600)."""

    def __init__(self, path: Path | str, *, retention_days: float = RETENTION_DAYS) -> None:
        self.path = Path(path)
        self._retention = timedelta(days=retention_days)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="order-journal")
        self._db: sqlite3.Connection | None = None

    async def open(self) -> None:
        """Create the file and the table now (a bad path fails the start-up), and forget keys
        untouched for longer than the retention."""
        cutoff = (datetime.now(UTC) - self._retention).isoformat()

        def prune(db: sqlite3.Connection) -> None:
            with db:
                db.execute(PRUNE, (cutoff,))

        await self._run(prune)

    async def close(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._executor, self._disconnect)
        self._executor.shutdown(wait=True)

    async def claim(
        self,
        account: str,
        key: str,
        decide: Callable[[JournalRecord | None], JournalRecord | None],
    ) -> None:
        def work(db: sqlite3.Connection) -> None:
            db.execute("BEGIN IMMEDIATE")  # the write lock, across processes, until commit
            try:
                row = db.execute(
                    "SELECT record FROM order_journal WHERE account = ? AND key = ?", (account, key)
                ).fetchone()
                record = decide(decode(row[0]) if row else None)
                if record is not None:
                    _upsert(db, record)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

        await self._run(work)

    async def save(self, record: JournalRecord) -> bool:
        def work(db: sqlite3.Connection) -> bool:
            with db:
                cursor = db.execute(
                    "UPDATE order_journal SET state = ?, order_id = ?, updated_at = ?, record = ? "
                    "WHERE account = ? AND key = ? AND attempt = ?",
                    (
                        record.state,
                        record.order_id,
                        record.updated_at.isoformat(),
                        encode(record),
                        record.account,
                        record.key,
                        record.attempt,
                    ),
                )
                return cursor.rowcount == 1

        return await self._run(work)

    async def get(self, account: str, key: str) -> JournalRecord | None:
        def work(db: sqlite3.Connection) -> JournalRecord | None:
            row = db.execute(
                "SELECT record FROM order_journal WHERE account = ? AND key = ?", (account, key)
            ).fetchone()
            return decode(row[0]) if row else None

        return await self._run(work)

    async def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        def call() -> T:
            return work(self._connection())

        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, call)
        except (sqlite3.Error, OSError) as exc:  # locked past the busy timeout, disk, path
            raise JournalUnavailable(f"the order journal {self.path} failed: {exc}") from exc

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = self._connect()
        return self._db

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        os.close(fd)
        # isolation_level=None: transactions are ours (BEGIN IMMEDIATE), not the module's.
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")  # a claim survives a power cut, not just a crash
        db.execute(SCHEMA)
        return db

    def _disconnect(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def _upsert(db: sqlite3.Connection, record: JournalRecord) -> None:
    db.execute(
        "INSERT INTO order_journal (account, key, attempt, state, order_id, updated_at, record) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account, key) DO UPDATE SET "
        "attempt = excluded.attempt, state = excluded.state, order_id = excluded.order_id, "
        "updated_at = excluded.updated_at, record = excluded.record",
        (
            record.account,
            record.key,
            record.attempt,
            record.state,
            record.order_id,
            record.updated_at.isoformat(),
            encode(record),
        ),
    )

"""The journal stores (SQLite, PostgreSQL) keep the port's promises, each against the real thing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest

from adapters.journal.dsn import OpenableJournal, open_journal, printable_dsn
from application.services.order_journal import MemoryOrderJournal
from domain.journal import JournalRecord

NOW = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)


def record(key: str = "k-1", **changes: object) -> JournalRecord:
    base = JournalRecord(account="DU1234567", key=key, terms={"action": "BUY", "quantity": 1.0},
                         state="pending", owner="test", created_at=NOW, updated_at=NOW)  # fmt: skip
    return msgspec.structs.replace(base, **changes)


async def test_claim_writes_what_decide_returns_and_get_reads_it(journal: OpenableJournal) -> None:
    seen: list[JournalRecord | None] = []

    def first(existing: JournalRecord | None) -> JournalRecord | None:
        seen.append(existing)
        return record()

    await journal.claim("DU1234567", "k-1", first)
    assert seen == [None]
    assert await journal.get("DU1234567", "k-1") == record()
    await journal.claim("DU1234567", "k-1", lambda existing: seen.append(existing) or None)
    assert seen[-1] == record()  # the stored record, terms and times round-tripped exactly
    assert await journal.get("DU9999999", "k-1") is None  # keys are per account


async def test_save_is_refused_once_the_key_was_claimed_again(journal: OpenableJournal) -> None:
    await journal.claim("DU1234567", "k-1", lambda _: record())
    assert await journal.save(record(state="sent", order_id=7)) is True
    await journal.claim("DU1234567", "k-1", lambda _: record(attempt=2))
    assert await journal.save(record(state="failed")) is False  # attempt 1 lost the key
    stored = await journal.get("DU1234567", "k-1")
    assert stored is not None and (stored.attempt, stored.state) == (2, "pending")


async def test_concurrent_claims_from_separate_connections_are_serialised(
    journal_dsn: str,
) -> None:
    """Ten journals on one database (as ten processes would hold): exactly one sees no record."""
    stores = [open_journal(journal_dsn) for _ in range(10)]
    for store in stores:
        await store.open()
    try:
        winners: list[int] = []

        async def claim(n: int) -> None:
            def decide(existing: JournalRecord | None) -> JournalRecord | None:
                if existing is not None:
                    return None
                winners.append(n)
                return record(key="race", owner=f"p{n}")

            await stores[n].claim("DU1234567", "race", decide)

        await asyncio.gather(*(claim(n) for n in range(10)))
        stored = await stores[0].get("DU1234567", "race")
        assert len(winners) == 1 and stored is not None and stored.owner == f"p{winners[0]}"
    finally:
        for store in stores:
            await store.close()


async def test_a_failing_decide_writes_nothing(journal: OpenableJournal) -> None:
    def boom(_existing: JournalRecord | None) -> JournalRecord | None:
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        await journal.claim("DU1234567", "k-1", boom)
    assert await journal.get("DU1234567", "k-1") is None
    await journal.claim("DU1234567", "k-1", lambda _: record())  # and the store still works
    assert await journal.get("DU1234567", "k-1") is not None


def test_the_sqlite_file_is_private(tmp_path: Path) -> None:
    async def run() -> None:
        store = open_journal(f"sqlite:///{tmp_path / 'state' / 'journal.db'}")
        await store.open()
        await store.close()

    asyncio.run(run())
    assert (tmp_path / "state" / "journal.db").stat().st_mode & 0o077 == 0
    assert (tmp_path / "state").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    "dsn", ["sqlite://", "sqlite:///", "mysql://x/y", "journal.db", "sqlite://host/file"]
)
def test_unusable_dsns_are_refused_with_the_accepted_forms(dsn: str) -> None:
    with pytest.raises(ValueError, match=r"sqlite:///|postgresql://"):
        open_journal(dsn)


def test_relative_and_absolute_sqlite_paths() -> None:
    assert str(open_journal("sqlite:///j.db").path) == "j.db"
    assert str(open_journal("sqlite:////var/lib/j.db").path) == "/var/lib/j.db"


def test_printable_dsn_hides_the_password() -> None:
    shown = printable_dsn("postgresql://trader:s3cret-pw@db.internal:5433/orders")
    assert "s3cret-pw" not in shown and shown.startswith("postgresql://trader:***@db.internal:5433")
    assert printable_dsn("sqlite:////x/j.db") == "sqlite:////x/j.db"


async def test_the_memory_journal_is_bounded() -> None:
    memory = MemoryOrderJournal(capacity=3)
    for n in range(5):
        await memory.claim("A", f"k{n}", lambda _, n=n: record(key=f"k{n}", account="A"))
    assert [await memory.get("A", f"k{n}") is not None for n in range(5)] == [False, False] + [
        True
    ] * 3


async def test_keys_untouched_past_the_retention_are_forgotten_at_open(journal_dsn: str) -> None:
    from datetime import timedelta

    now = datetime.now(UTC)
    old, fresh = now - timedelta(days=40), now - timedelta(days=1)
    store = open_journal(journal_dsn, retention_days=30)
    await store.open()
    for key, at, state in (("old", old, "sent"), ("new", fresh, "sent"), ("stuck", old, "pending")):
        await store.claim("A", key, lambda _, k=key, t=at, s=state: record(
            key=k, account="A", state=s, created_at=t, updated_at=t))  # fmt: skip
    await store.close()
    reopened = open_journal(journal_dsn, retention_days=30)
    await reopened.open()
    try:
        assert await reopened.get("A", "old") is None
        assert await reopened.get("A", "new") is not None
        # a claim whose outcome is unknown is kept: its retry must still ask IB first
        assert await reopened.get("A", "stuck") is not None
    finally:
        await reopened.close()


async def test_a_journal_that_cannot_be_created_says_so_as_a_domain_error(tmp_path: Path) -> None:
    from domain.errors import JournalUnavailable

    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    store = open_journal(f"sqlite:///{blocker / 'journal.db'}")
    with pytest.raises(JournalUnavailable, match="order journal"):
        await store.open()
    await store.close()


def test_printable_dsn_hides_query_passwords_and_survives_a_bad_port() -> None:
    shown = printable_dsn("postgresql://trader@db/orders?sslmode=require&password=s3cret-pw")
    assert "s3cret-pw" not in shown and "password=***" in shown
    assert "pw9" not in printable_dsn("postgresql://u:pw9@db:abc/x")


def test_every_spelling_of_a_dsn_password_is_a_secret() -> None:
    from entrypoints.settings import dsn_passwords

    assert set(dsn_passwords("postgresql://u:p%40ss@db/x")) == {"p%40ss", "p@ss"}
    assert dsn_passwords("postgresql://u@db/x?password=q-secret") == ["q-secret"]
    assert dsn_passwords("sqlite:////var/j.db") == []

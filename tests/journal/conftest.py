"""Journals to test: SQLite in a temporary folder, and PostgreSQL on a throwaway server."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest

from adapters.journal.dsn import OpenableJournal, open_journal
from tests.journal.postgres_server import find_bin, postgres_server


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    """A PostgreSQL server for the session: yours (IBKR_MCP_TEST_POSTGRES_DSN) or a fresh one.

    Without Debian's postgresql package the PostgreSQL tests are skipped locally and fail in
    CI (CI=true), where .ci/run installs it.
    """
    given = os.environ.get("IBKR_MCP_TEST_POSTGRES_DSN")
    if given:
        yield given
        return
    bin_dir = find_bin()
    if bin_dir is None:
        message = "PostgreSQL is not installed (apt-get install postgresql)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with postgres_server(bin_dir) as dsn:
        yield dsn


@pytest.fixture
async def postgres_database(postgres_dsn: str) -> AsyncIterator[str]:
    """A database of its own for one test (dropped afterwards)."""
    name = f"journal_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(postgres_dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        base, _, _ = postgres_dsn.rpartition("/")
        yield f"{base}/{name}"
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def journal_dsn(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'journal.sqlite3'}"
    return str(request.getfixturevalue("postgres_database"))


@pytest.fixture
async def journal(journal_dsn: str) -> AsyncIterator[OpenableJournal]:
    store = open_journal(journal_dsn)
    await store.open()
    try:
        yield store
    finally:
        await store.close()

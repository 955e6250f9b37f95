"""Which journal a DSN names: ``sqlite:///path`` (the default) or ``postgresql://...``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit, urlunsplit

from application.ports import OrderJournal

_QUERY_PASSWORD = re.compile(r"((?:^|&)password=)[^&]*", re.IGNORECASE)


class OpenableJournal(OrderJournal, Protocol):
    async def open(self) -> None: ...

    async def close(self) -> None: ...


def open_journal(dsn: str, *, retention_days: float = 30.0) -> OpenableJournal:
    """The journal ``dsn`` names (not yet opened); ValueError for one we cannot use.

    ``sqlite:///journal.db`` is relative to the working directory, ``sqlite:////var/x.db``
    absolute (the path is what follows ``sqlite:///``). Keys untouched for ``retention_days``
    are forgotten when the journal opens.
    """
    scheme = dsn.partition(":")[0].lower()
    if scheme == "sqlite":
        path = unquote(dsn[len("sqlite:///") :]) if dsn.lower().startswith("sqlite:///") else ""
        if not path.strip("/"):
            raise ValueError(
                "a sqlite journal DSN names a file: sqlite:///journal.db (relative) or "
                "sqlite:////var/lib/ibkr-mcp/journal.db (absolute)"
            )
        from adapters.journal.sqlite import SqliteOrderJournal

        return SqliteOrderJournal(Path(path), retention_days=retention_days)
    if scheme in ("postgresql", "postgres"):
        from adapters.journal.postgres import PostgresOrderJournal

        return PostgresOrderJournal(dsn, retention_days=retention_days)
    raise ValueError(
        f"unknown journal DSN scheme {scheme!r}: use sqlite:///... or postgresql://..."
    )


def printable_dsn(dsn: str) -> str:
    """The DSN with its passwords (user part and ``password=`` parameter) masked, for logs."""
    try:
        parts = urlsplit(dsn)
    except ValueError:
        return "(a DSN that cannot be parsed)"
    netloc = parts.netloc
    if "@" in netloc:
        user, _, where = netloc.rpartition("@")
        if ":" in user:
            netloc = f"{user.split(':', 1)[0]}:***@{where}"
    query = _QUERY_PASSWORD.sub(r"\1***", parts.query)
    if (netloc, query) == (parts.netloc, parts.query):
        return dsn  # nothing to hide (and urlunsplit would fold sqlite:////abs paths)
    return urlunsplit(parts._replace(netloc=netloc, query=query))

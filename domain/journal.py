"""The order journal's record: one idempotency key of one account, and what became of it.

A key is claimed (``pending``) before its order is sent, so that no other request — in this
process or another one sharing the journal — can send it too. Once IB has the order the record
is ``sent`` with IB's order id; when nothing reached IB it is ``failed`` and may be claimed again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import msgspec

JournalState = Literal["pending", "sent", "failed"]


class JournalRecord(msgspec.Struct, frozen=True, kw_only=True):
    """What the journal knows of one (account, idempotency key)."""

    account: str
    key: str
    # Every field of the order request but the key (the account resolved): what a retry repeats.
    terms: dict[str, Any]
    state: JournalState
    # Which process claimed the key last, and how many times it was claimed.
    owner: str
    attempt: int = 1
    order_id: int | None = None
    # IB's status as last seen by this service, and the order result it answered with.
    status: str | None = None
    result: dict[str, Any] | None = None
    created_at: datetime
    updated_at: datetime


def changed_terms(first: dict[str, Any], terms: dict[str, Any]) -> list[str]:
    """The names of the fields whose values differ between two sets of order terms."""
    return sorted(
        name for name in first.keys() | terms.keys() if first.get(name) != terms.get(name)
    )

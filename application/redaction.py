"""Configured secrets out of everything the service writes or answers.

One ``Redactor`` serves every sink: the audit trail (file and endpoint), the logs, REST error
bodies, MCP tool errors and the gateway's log lines. It knows secret *values* (tokens,
passwords), not patterns, so that a message about a ``confirmation_token`` keeps its words.
Plain Python: the logging setup (structlog) and the front doors build on it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, TypeVar

import msgspec.structs

from application.ports import AuditLog
from domain.safety import AuditEntry

REDACTED = "**********"
# Shorter values would blank out ordinary words; tokens are at least 16 characters.
MIN_SECRET_LENGTH = 3

T = TypeVar("T")


class Redactor:
    """Replaces every configured secret, in any letter case, wherever it appears.

    Inside longer strings, in nested dicts, lists, tuples and sets, and in dict keys too. Case
    does not matter because callers' input is often echoed transformed (the domain upper-cases
    ``action`` and ``symbol``). Holds the values but never shows them.
    """

    __slots__ = ("_pattern", "_secrets", "pattern_id")

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._secrets: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        # Grows with every change of the secrets: lets callers cache what was redacted.
        self.pattern_id = 0
        self.add(secrets)

    def add(self, secrets: Iterable[str | None]) -> None:
        """Redact these values too (empty and too short ones are ignored)."""
        for secret in secrets:
            if secret and len(secret) >= MIN_SECRET_LENGTH:
                # Case-insensitive matching misses case mappings that change a string's length
                # ('ß'.upper() == 'SS'): those spellings are listed as they are.
                self._secrets.update({secret, secret.upper(), secret.lower(), secret.casefold()})
        if self._secrets:
            # Longest first, so that a secret containing another is replaced whole.
            ordered = sorted(self._secrets, key=len, reverse=True)
            self._pattern = re.compile("|".join(map(re.escape, ordered)), re.IGNORECASE)
            self.pattern_id += 1

    def text(self, text: str) -> str:
        """``text`` with every secret replaced by ``**********``."""
        if self._pattern is None:
            return text
        return self._pattern.sub(REDACTED, text)

    def __call__(self, value: T) -> T:
        """``value`` with every secret replaced: strings, and containers of them, rebuilt."""
        if self._pattern is None:
            return value
        return self._walk(value)  # type: ignore[no-any-return]

    def _walk(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self._walk(k): self._walk(v) for k, v in value.items()}
        if isinstance(value, list | tuple | set | frozenset):
            return type(value)(self._walk(v) for v in value)
        return value

    def where(self, fields: dict[str, Any]) -> str | None:
        """The first of ``fields`` whose value (or anything inside it) holds a secret."""
        if self._pattern is None:
            return None
        for name, value in fields.items():
            if self._walk(value) != value:
                return name
        return None

    def __repr__(self) -> str:
        return f"Redactor(<{len(self._secrets)} spellings>)"


class RedactingAuditLog:
    """An ``AuditLog`` whose entries carry no configured secret, on the way in and out.

    In: a request echoing a token or password (as ``symbol``, as an idempotency key, inside an
    error message) is written redacted. Out: entries written before a secret was configured
    are redacted when read back.
    """

    def __init__(self, inner: AuditLog, redactor: Redactor) -> None:
        self._inner = inner
        self._redact = redactor

    async def append(self, entry: AuditEntry) -> None:
        await self._inner.append(self._entry(entry))

    async def recent(self, limit: int) -> list[AuditEntry]:
        return [self._entry(entry) for entry in await self._inner.recent(limit)]

    def _entry(self, entry: AuditEntry) -> AuditEntry:
        # The free-form fields only: the others are the service's own words (and an
        # over-eager replacement there would make the entry invalid).
        redact = self._redact
        error = entry.error
        if error is not None:
            error = msgspec.structs.replace(error, message=redact.text(error.message))
        return msgspec.structs.replace(
            entry,
            caller=redact.text(entry.caller),
            request=redact(entry.request),
            result=redact(entry.result),
            error=error,
        )

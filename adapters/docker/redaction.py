"""Remove configured secrets from text that came from outside (container logs, Docker errors)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

REDACTED = "**********"


class SecretScrubber:
    """Replaces every occurrence of each secret; holds the values but never shows them."""

    __slots__ = ("_secrets",)

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        # Longest first, so a secret that contains another is replaced whole.
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def __repr__(self) -> str:
        return f"SecretScrubber(<{len(self._secrets)} secrets>)"


def read_secret_file(path: Path | None) -> str | None:
    """The secret in a file, if readable (None otherwise): so that it can be scrubbed."""
    if path is None:
        return None
    try:
        return path.expanduser().read_text(encoding="utf-8").strip() or None
    except OSError:
        return None

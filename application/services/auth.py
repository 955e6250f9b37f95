"""Bearer tokens: which named caller, if any, a presented token belongs to."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import stat
from pathlib import Path

MIN_TOKEN_LENGTH = 16
_NAME = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_HINT = "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'"


class TokenConfigError(ValueError):
    """A token setting that cannot work; the message names the token, never shows it."""


class TokenBook:
    """The configured tokens, kept only as SHA-256 digests, each with the name logs show.

    Tokens come from ``IBKR_MCP_TOKEN`` (``token`` or ``name:token``, comma-separated) and a
    token file (one ``name:token`` a line, ``#`` comments). An empty book means authentication
    is off.
    """

    def __init__(self, tokens: dict[str, str] | None = None) -> None:
        self._names: list[str] = []
        self._digests: list[bytes] = []
        self._secrets: list[str] = []
        # What is unwise but works (a token file others can read), for the caller to log.
        self.warnings: list[str] = []
        for name, token in (tokens or {}).items():
            self._add(name, token, where=f"token {name!r}")

    @classmethod
    def load(cls, env_value: str | None = None, token_file: Path | None = None) -> TokenBook:
        book = cls()
        for index, item in enumerate((env_value or "").split(","), start=1):
            if item.strip():
                name, token = _split(item.strip(), default_name=f"env-{index}")
                book._add(name, token, where=f"IBKR_MCP_TOKEN entry {index}")
        if token_file is not None:
            book._load_file(token_file)
        return book

    @property
    def enabled(self) -> bool:
        return bool(self._digests)

    @property
    def names(self) -> list[str]:
        return list(self._names)

    def secrets(self) -> list[str]:
        """Every token in clear, for the log redactor only."""
        return list(self._secrets)

    def identify(self, presented: str) -> str | None:
        """The name of the token presented, or None.

        Compares fixed-length digests with ``hmac.compare_digest`` against every token, without
        stopping at a match, so timing says nothing about which token or how much of it matched.
        """
        digest = _digest(presented)
        found: str | None = None
        for name, known in zip(self._names, self._digests, strict=True):
            if hmac.compare_digest(digest, known):
                found = name
        return found

    def _load_file(self, path: Path) -> None:
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise TokenConfigError(f"Cannot read the token file {path}: {exc}") from None
        self._check_mode(path, mode)
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            where = f"{path} line {number}"
            if ":" not in line:
                raise TokenConfigError(f"{where}: write name:token (the name appears in logs)")
            name, token = _split(line, default_name="")
            self._add(name, token, where=where)

    def _check_mode(self, path: Path, mode: int) -> None:
        """Refuse a token file others may write (they could add a token of their own); warn
        when others may read it. Mounted secrets (Docker, Kubernetes) are often 0444: readable
        by all users of the container, which is why that is only a warning."""
        if os.name != "posix":
            return
        if mode & (stat.S_IWGRP | stat.S_IWOTH):
            raise TokenConfigError(
                f"The token file {path} is writable by other users (mode {mode:04o}): anyone "
                f"who can write it can add a token of their own. Run: chmod 600 {path}"
            )
        if mode & (stat.S_IRGRP | stat.S_IROTH):
            self.warnings.append(
                f"The token file {path} is readable by other users (mode {mode:04o}); "
                f"consider: chmod 600 {path}"
            )

    def _add(self, name: str, token: str, *, where: str) -> None:
        if not _NAME.match(name):
            raise TokenConfigError(
                f"{where}: a token name is 1-64 letters, digits, '.', '_' or '-'"
            )
        if name in self._names:
            raise TokenConfigError(f"{where}: the name {name!r} is used twice")
        if len(token) < MIN_TOKEN_LENGTH:
            raise TokenConfigError(
                f"{where}: token {name!r} is {len(token)} characters; use at least "
                f"{MIN_TOKEN_LENGTH} ({_HINT})"
            )
        digest = _digest(token)
        if any(hmac.compare_digest(digest, known) for known in self._digests):
            raise TokenConfigError(f"{where}: token {name!r} repeats another token")
        self._names.append(name)
        self._digests.append(digest)
        self._secrets.append(token)


def _split(item: str, *, default_name: str) -> tuple[str, str]:
    name, sep, token = item.partition(":")
    if not sep:
        return default_name, item
    return name.strip(), token.strip()


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()

"""Bearer tokens: named, long enough, compared in constant time, never shown."""

from __future__ import annotations

import hmac
import os
from pathlib import Path

import pytest

from application.services.auth import TokenBook, TokenConfigError

ALICE = "alice-token-0123456789abcdef"
BOB = "bob-token-0123456789abcdefghij"


def test_env_tokens_with_and_without_names() -> None:
    book = TokenBook.load(f" {ALICE} , ci:{BOB},")
    assert book.enabled
    assert book.names == ["env-1", "ci"]
    assert book.identify(ALICE) == "env-1"
    assert book.identify(BOB) == "ci"
    assert book.identify(BOB[:-1]) is None
    assert book.identify("") is None
    assert book.identify("ünïcødé-not-ascii-at-all") is None


def _token_file(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "tokens"
    path.write_text(text)
    path.chmod(mode)
    return path


def test_token_file_with_comments(tmp_path: Path) -> None:
    path = _token_file(tmp_path, f"# who may call\n\nalice:{ALICE}\n  bob : {BOB}  \n")
    book = TokenBook.load(None, path)
    assert book.warnings == []
    assert book.names == ["alice", "bob"]
    assert book.identify(BOB) == "bob"
    assert sorted(book.secrets()) == sorted([ALICE, BOB])


def test_env_and_file_together(tmp_path: Path) -> None:
    path = _token_file(tmp_path, f"bob:{BOB}\n")
    book = TokenBook.load(f"alice:{ALICE}", path)
    assert (book.identify(ALICE), book.identify(BOB)) == ("alice", "bob")


def test_no_tokens_means_authentication_is_off() -> None:
    book = TokenBook.load("", None)
    assert not book.enabled
    assert book.identify(ALICE) is None


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ("alice:s3cr3tX", "7 characters; use at least 16"),
        (f"alice:{ALICE},alice:{BOB}", "used twice"),
        (f"alice:{ALICE},bob:{ALICE}", "repeats another token"),
        (f"bad name:{ALICE}", "token name is"),
    ],
)
def test_bad_tokens_are_refused_without_showing_them(env: str, message: str) -> None:
    with pytest.raises(TokenConfigError, match=message) as caught:
        TokenBook.load(env)
    assert ALICE not in str(caught.value)
    assert "s3cr3tX" not in str(caught.value)


def test_token_file_lines_need_a_name(tmp_path: Path) -> None:
    path = _token_file(tmp_path, f"# comment\n{ALICE}\n")
    with pytest.raises(TokenConfigError, match="line 2: write name:token") as caught:
        TokenBook.load(None, path)
    assert ALICE not in str(caught.value)


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
@pytest.mark.parametrize("mode", [0o620, 0o602, 0o666])
def test_a_token_file_others_may_write_is_refused(tmp_path: Path, mode: int) -> None:
    path = _token_file(tmp_path, f"alice:{ALICE}\n", mode)
    with pytest.raises(TokenConfigError, match=f"writable by other users \\(mode 0{mode:o}\\)"):
        TokenBook.load(None, path)


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_a_token_file_others_may_read_loads_with_a_warning(tmp_path: Path) -> None:
    path = _token_file(tmp_path, f"alice:{ALICE}\n", 0o644)
    book = TokenBook.load(None, path)
    assert book.identify(ALICE) == "alice"
    assert book.warnings == [
        f"The token file {path} is readable by other users (mode 0644); consider: chmod 600 {path}"
    ]
    assert ALICE not in book.warnings[0]


def test_unreadable_token_file(tmp_path: Path) -> None:
    with pytest.raises(TokenConfigError, match="Cannot read the token file"):
        TokenBook.load(None, tmp_path / "missing")


def test_identify_compares_every_token_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    book = TokenBook({"alice": ALICE, "bob": BOB, "carol": "carol-token-0123456789"})
    compared: list[tuple[int, int]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((len(a), len(b)))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    assert book.identify(ALICE) == "alice"  # the first token matches: the others still compared
    assert book.identify("x") is None  # a short guess compares equal-length digests
    assert compared == [(32, 32)] * 6

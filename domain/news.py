"""News: the providers an account reads, headlines of a contract, and articles.

IB prefixes a historical headline with its metadata, ``{A:800015:L:en:K:-0.97:C:0.97}``
(article number, language, sentiment score -1..1, confidence); ``headline`` parses it off.
"""

from __future__ import annotations

import re
from typing import Literal

import msgspec

MAX_HEADLINES = 300  # IB's cap on one historical news request
DEFAULT_HEADLINES = 20
DEFAULT_ARTICLE_CHARS = 8000
MAX_ARTICLE_CHARS = 200_000
_META = re.compile(r"^\{([^{}]*)\}")


class NewsProvider(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    name: str


class NewsProviders(msgspec.Struct, frozen=True, kw_only=True):
    providers: list[NewsProvider]


class NewsHeadline(msgspec.Struct, frozen=True, kw_only=True):
    time: str  # ISO 8601, UTC
    provider_code: str
    article_id: str
    headline: str
    language: str | None = None
    sentiment: float | None = None  # IB's score, -1 (negative) to 1 (positive)


class NewsHeadlines(msgspec.Struct, frozen=True, kw_only=True):
    contract_id: int
    symbol: str
    providers: list[str]
    headlines: list[NewsHeadline]
    count: int
    # Pass it as ``end`` to read further back: the oldest headline's second when the page
    # left that second's headlines to the next page, else the second before it.
    next_end: str | None = None


class ArticleBody(msgspec.Struct, frozen=True, kw_only=True):
    """An article as IB sends it: type 0 is text, type 1 a binary (PDF) in base64."""

    article_type: int
    text: str


class NewsArticle(msgspec.Struct, frozen=True, kw_only=True):
    provider_code: str
    article_id: str
    article_type: Literal["text", "pdf"]
    text: str | None = None
    pdf_base64: str | None = None
    length: int  # characters of the whole text (or of the base64 PDF)
    truncated: bool = False
    message: str | None = None


def headline(time: str, provider_code: str, article_id: str, raw: str) -> NewsHeadline:
    """A headline with IB's metadata prefix parsed into language and sentiment."""
    match = _META.match(raw)
    if match is None:
        return NewsHeadline(time=time, provider_code=provider_code, article_id=article_id,
                            headline=raw.strip())  # fmt: skip
    parts = match.group(1).split(":")
    meta = dict(zip(parts[::2], parts[1::2], strict=False))
    sentiment: float | None
    try:
        sentiment = float(meta["K"])
    except (KeyError, ValueError):
        sentiment = None
    return NewsHeadline(
        time=time,
        provider_code=provider_code,
        article_id=article_id,
        headline=raw[match.end() :].strip(),
        language=meta.get("L") or None,
        sentiment=sentiment,
    )

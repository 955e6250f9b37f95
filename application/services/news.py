"""News for research: the account's providers, a contract's headlines and an article."""

from __future__ import annotations

from datetime import datetime, timedelta

from application.company_ports import NewsBroker
from application.services.contracts import ContractService
from domain.contract import ContractQuery
from domain.errors import InvalidRequest
from domain.news import (
    DEFAULT_ARTICLE_CHARS,
    DEFAULT_HEADLINES,
    MAX_HEADLINES,
    NewsArticle,
    NewsHeadline,
    NewsHeadlines,
    NewsProviders,
)


def _second(time: str) -> datetime:
    return datetime.fromisoformat(time).replace(microsecond=0)


def _page(found: list[NewsHeadline], limit: int) -> tuple[list[NewsHeadline], str | None]:
    """The page of ``limit`` out of what the broker found (one more than ``limit`` when IB's
    cap allowed), and the ``end`` that reads on (IB's end is inclusive, to the second).

    A page that ends inside a second (the headline after it shares its oldest second, or,
    at IB's cap, may) leaves that second's headlines to the next page, which starts at that
    second: none of them is skipped. A page all of one second cannot be split: it reads on
    from the second before, and the rest of that second is skipped.
    """
    if len(found) < limit or (len(found) == limit and limit < MAX_HEADLINES):
        return found, None  # the broker had no more
    page, after = found[:limit], found[limit:]
    edge = _second(page[-1].time)
    if after and _second(after[0].time) != edge:
        return page, (edge - timedelta(seconds=1)).isoformat()
    newer = [h for h in page if _second(h.time) != edge]
    if newer:
        return newer, edge.isoformat()
    return page, (edge - timedelta(seconds=1)).isoformat()


class NewsService:
    def __init__(self, contracts: ContractService, broker: NewsBroker) -> None:
        self._contracts = contracts
        self._broker = broker

    async def providers(self) -> NewsProviders:
        return NewsProviders(providers=await self._broker.news_providers())

    async def headlines(
        self,
        contract_id: int,
        providers: list[str] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        limit: int = DEFAULT_HEADLINES,
    ) -> NewsHeadlines:
        """Newest first; ``next_end`` reads further back (see ``_page``)."""
        if not 1 <= limit <= MAX_HEADLINES:
            raise InvalidRequest(f"limit must be 1 to {MAX_HEADLINES}", field="limit")
        if start is not None and end is not None and start >= end:
            raise InvalidRequest("start must be before end", field="start")
        codes = await self._codes(providers, "providers")
        contract = await self._contracts.resolve(ContractQuery(con_id=contract_id))
        # One more than the page, to tell whether the page ends inside a second.
        ask = min(limit + 1, MAX_HEADLINES)
        found = await self._broker.news_headlines(contract, codes, start, end, ask)
        found, next_end = _page(found[:ask], limit)
        return NewsHeadlines(
            contract_id=contract.con_id,
            symbol=contract.symbol,
            providers=codes,
            headlines=found,
            count=len(found),
            next_end=next_end,
        )

    async def article(
        self, provider_code: str, article_id: str, max_chars: int = DEFAULT_ARTICLE_CHARS
    ) -> NewsArticle:
        """The article's text, cut at ``max_chars``; a PDF's base64 only when it fits."""
        (code,) = await self._codes([provider_code], "provider_code")
        ident = article_id.strip()
        if not ident:
            raise InvalidRequest("article_id must name an article", field="article_id")
        body = await self._broker.news_article(code, ident)
        size = len(body.text)
        fits = size <= max_chars
        if body.article_type == 1:
            return NewsArticle(
                provider_code=code, article_id=ident, article_type="pdf",
                pdf_base64=body.text if fits else None, length=size, truncated=not fits,
                message=None if fits else
                f"The PDF is {size} base64 characters; ask again with max_chars >= {size}",
            )  # fmt: skip
        return NewsArticle(
            provider_code=code, article_id=ident, article_type="text",
            text=body.text[:max_chars], length=size, truncated=not fits,
            message=None if fits else f"Cut at {max_chars} of {size} characters (max_chars)",
        )  # fmt: skip

    async def _codes(self, wanted: list[str] | None, field: str) -> list[str]:
        """The provider codes asked for (every provider of the account when none), each one
        the account has."""
        known = [p.code for p in await self._broker.news_providers()]
        if not known:
            raise InvalidRequest(
                "The account has no news providers; subscribe to a news feed in IB's "
                "Account Management (Settings > Market Data Subscriptions)",
                field=field,
            )
        if not wanted:
            return known
        codes = list(dict.fromkeys(c.strip().upper() for c in wanted if c.strip()))
        unknown = [c for c in codes if c not in known]
        if unknown or not codes:
            raise InvalidRequest(
                f"Unknown news provider {', '.join(unknown) or '(none given)'}; the account's "
                f"providers are {', '.join(known)}",
                field=field,
                accepted=known,
            )
        return codes

"""News from IB: the account's providers (cached for an hour), historical headlines of a
contract and articles.

ib_async keys the providers request by a fixed name, so two at once are serialised. IB
answers a provider the account may not read with 10276 and an unknown article with 10172:
the caller's to fix (400, 404), never a gateway failure.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ib_async import IB, RequestError

from adapters.ib.calls import IbCalls
from adapters.ib.pacing import TtlCache
from application.ports import Clock
from domain.contract import Contract
from domain.errors import BrokerTimeout, DataNotFound, InvalidRequest
from domain.news import MAX_HEADLINES, ArticleBody, NewsHeadline, NewsProvider, headline

PROVIDERS_TTL = 3600.0
NEWS_NOT_ALLOWED = 10276
ARTICLE_NOT_FOUND = 10172


def _iso(moment: datetime) -> str:
    """IB's headline times carry no zone: they are UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def _refusal(exc: RequestError, what: str) -> Exception:
    ib = f"IB error {exc.code}: {exc.message}"
    if exc.code == NEWS_NOT_ALLOWED:
        return InvalidRequest(
            f"IB does not let this account read {what}: the account lacks that news "
            f"subscription (get_news_providers lists the ones it has) ({ib})",
            field="providers",
        )
    if exc.code == ARTICLE_NOT_FOUND:
        return DataNotFound(f"IB has no {what}; take article ids from get_news ({ib})")
    return exc


class IbNews:
    def __init__(self, calls: IbCalls, clock: Clock) -> None:
        self._calls = calls
        self._providers: TtlCache[list[NewsProvider]] = TtlCache(clock, PROVIDERS_TTL, 1)

    async def providers(self) -> list[NewsProvider]:
        cached = self._providers.get("providers")
        if cached is not None:
            return cached
        found = await self._calls.run(
            "the news providers", lambda ib: ib.reqNewsProvidersAsync(), serial="newsProviders"
        )
        providers = [NewsProvider(code=p.code, name=p.name) for p in found or []]
        self._providers.put("providers", providers)
        return providers

    async def headlines(
        self,
        contract: Contract,
        codes: list[str],
        start: datetime | None,
        end: datetime | None,
        limit: int,
    ) -> list[NewsHeadline]:
        what = f"news of {'+'.join(codes)} for {contract.symbol}"

        async def fetch(ib: IB) -> list[NewsHeadline]:
            try:
                # typed HistoricalNews | None; a list of them in fact
                found: Any = await ib.reqHistoricalNewsAsync(
                    contract.con_id, "+".join(codes), start or "", end or "",
                    min(limit, MAX_HEADLINES),
                )  # fmt: skip
            except RequestError as exc:
                raise _refusal(exc, what) from exc
            if found is None:  # ib_async gives up after 4 s and answers None
                raise BrokerTimeout(f"IB did not answer the request for {what}")
            return [headline(_iso(n.time), n.providerCode, n.articleId, n.headline) for n in found]

        return await self._calls.run(what, fetch)

    async def article(self, provider_code: str, article_id: str) -> ArticleBody:
        what = f"article {article_id!r} of {provider_code}"

        async def fetch(ib: IB) -> ArticleBody:
            try:
                body = await ib.reqNewsArticleAsync(provider_code, article_id)
            except RequestError as exc:
                raise _refusal(exc, what) from exc
            return ArticleBody(article_type=body.articleType, text=body.articleText)

        return await self._calls.run(what, fetch)

"""News for research: the account's news providers, headlines of a contract, an article."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from application.services.news import NewsService
from domain.errors import ContractNotFound, DataNotFound, InvalidRequest
from domain.history_extras import parse_moment
from domain.news import (
    DEFAULT_ARTICLE_CHARS,
    DEFAULT_HEADLINES,
    MAX_ARTICLE_CHARS,
    MAX_HEADLINES,
    NewsArticle,
    NewsHeadlines,
    NewsProviders,
)
from entrypoints.catalog.fields import Id
from entrypoints.catalog.operation import BROKER_ERRORS, QUERY, Call, Operation, Rest, offered

Moment = Annotated[
    str,
    Meta(max_length=40, description="ISO 8601 date-time (UTC without a zone)",
         examples=["2025-10-03T14:30:00Z"]),
]  # fmt: skip


class HeadlinesInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    contract_id: Annotated[
        Id, Meta(description="IB contract id (conId) of the stock", examples=[265598])
    ]
    providers: Annotated[
        Annotated[str, Meta(max_length=200)] | None,
        Meta(description="Provider codes, comma separated (default: every provider of the "
             "account, see get_news_providers)", examples=["BRFG,BZ"]),
    ] = None  # fmt: skip
    start: Annotated[Moment | None, Meta(description="Only headlines after this")] = None
    end: Annotated[
        Moment | None, Meta(description="Only headlines up to this (default now); next_end pages")
    ] = None
    limit: Annotated[
        int, Meta(ge=1, le=MAX_HEADLINES, description=f"How many, 1 to {MAX_HEADLINES}")
    ] = DEFAULT_HEADLINES

    def codes(self) -> list[str] | None:
        if self.providers is None:
            return None
        return [c for c in self.providers.replace("+", ",").split(",") if c.strip()]


class ArticleInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    provider_code: Annotated[
        str, Meta(min_length=1, max_length=16, description="The headline's provider_code",
                  examples=["BRFG"]),
    ]  # fmt: skip
    article_id: Annotated[
        str, Meta(min_length=1, max_length=128, description="The headline's article_id",
                  examples=["BRFG$1a2b3c"]),
    ]  # fmt: skip
    max_chars: Annotated[
        int,
        Meta(ge=1, le=MAX_ARTICLE_CHARS,
             description="Longest text returned; a PDF (base64) is returned only whole"),
    ] = DEFAULT_ARTICLE_CHARS  # fmt: skip


def _news(call: Call) -> NewsService:
    return offered(call.services.news, "news")


async def _headlines(q: HeadlinesInput, call: Call) -> NewsHeadlines:
    return await _news(call).headlines(
        q.contract_id,
        q.codes(),
        parse_moment(q.start, "start") if q.start else None,
        parse_moment(q.end, "end") if q.end else None,
        q.limit,
    )


OPERATIONS = (
    Operation(
        name="get_news_providers",
        title="News providers",
        description="""The news providers the account reads (code and name); their codes filter get_news.""",
        input=None,
        output=NewsProviders,
        nature=QUERY,
        errors=BROKER_ERRORS,
        call=lambda q, c: _news(c).providers(),
        rest=Rest("/ibkr/news/providers", tag="news"),
    ),
    Operation(
        name="get_news",
        title="News headlines",
        description="""Recent news headlines of one stock, newest first, each with its time, provider, article_id, language and IB's sentiment score (-1 to 1).

Read the story with get_news_article. Pass next_end as end to read further back.""",
        input=HeadlinesInput,
        output=NewsHeadlines,
        nature=QUERY,
        errors=(InvalidRequest, ContractNotFound, *BROKER_ERRORS),
        call=_headlines,
        rest=Rest("/ibkr/contracts/{contract_id}/news", tag="news"),
    ),
    Operation(
        name="get_news_article",
        title="News article",
        description="""The text of one news article (provider_code and article_id from get_news).

Text is cut at max_chars (truncated says so); some providers send a PDF, returned as
pdf_base64 only when it fits in max_chars.""",
        input=ArticleInput,
        output=NewsArticle,
        nature=QUERY,
        errors=(InvalidRequest, DataNotFound, *BROKER_ERRORS),
        call=lambda q, c: _news(c).article(q.provider_code, q.article_id, q.max_chars),
        rest=Rest("/ibkr/news/article", tag="news"),
    ),
)

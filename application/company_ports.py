"""The broker's company research data: news, fundamentals reports, corporate events.

Kept apart from ``ports.Broker`` (as ``research_ports``) so that a broker without them still
is a ``Broker``; the IB adapter implements them, and the services that use them are offered
only with a broker that does.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol, runtime_checkable

from domain.contract import Contract
from domain.fundamentals import CorporateEvent, FundamentalsReport
from domain.news import ArticleBody, NewsHeadline, NewsProvider


@runtime_checkable
class NewsBroker(Protocol):
    async def news_providers(self) -> list[NewsProvider]:
        """The news providers the account is entitled to."""
        ...

    async def news_headlines(
        self,
        contract: Contract,
        provider_codes: list[str],
        start: datetime | None,
        end: datetime | None,
        limit: int,
    ) -> list[NewsHeadline]:
        """Headlines in (start, end], newest first, at most ``limit`` (IB's cap: 300)."""
        ...

    async def news_article(self, provider_code: str, article_id: str) -> ArticleBody:
        """The article's body as IB sends it (DataNotFound when IB has no such article)."""
        ...


@runtime_checkable
class FundamentalsBroker(Protocol):
    async def fundamentals(self, contract: Contract, report_type: str) -> FundamentalsReport:
        """The report read into fields (DataNotFound: IB's 430, no fundamentals)."""
        ...

    async def corporate_events(
        self, contract: Contract, start: date | None, end: date | None, limit: int
    ) -> list[CorporateEvent]:
        """Wall Street Horizon events of the contract in [start, end], oldest first."""
        ...

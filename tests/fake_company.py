"""A fake broker that also offers company research (``application.company_ports``): news,
fundamentals reports and corporate events are what a test puts in."""

from __future__ import annotations

from datetime import date, datetime

from domain.contract import Contract
from domain.errors import DataNotFound
from domain.fundamentals import CorporateEvent, FundamentalsReport
from domain.news import ArticleBody, NewsHeadline, NewsProvider
from tests.fakes import FakeBroker

AAPL = Contract(sec_type="STK", con_id=265598, symbol="AAPL", exchange="SMART",
                primary_exchange="NASDAQ", currency="USD")  # fmt: skip
AAPL_CALL = Contract(sec_type="OPT", con_id=700001, symbol="AAPL", exchange="SMART",
                     currency="USD", strike=200.0, right="C",
                     last_trade_date_or_contract_month="20251219")  # fmt: skip


class FakeCompanyBroker(FakeBroker):
    def __init__(self) -> None:
        super().__init__()
        self.contracts = [AAPL, AAPL_CALL]
        self.providers = [NewsProvider(code="BRFG", name="Briefing.com General Market Columns"),
                          NewsProvider(code="BZ", name="Benzinga Pro")]  # fmt: skip
        self.headlines: list[NewsHeadline] = [
            NewsHeadline(time=f"2025-03-0{d}T14:00:00+00:00", provider_code="BRFG",
                         article_id=f"BRFG${d}", headline=f"AAPL story {d}", language="en",
                         sentiment=0.5)
            for d in range(9, 0, -1)
        ]  # fmt: skip
        self.articles: dict[tuple[str, str], ArticleBody] = {}
        self.reports: dict[tuple[int, str], FundamentalsReport] = {}
        self.events: dict[int, list[CorporateEvent]] = {}

    async def news_providers(self) -> list[NewsProvider]:
        self._record("news_providers")
        return list(self.providers)

    async def news_headlines(
        self,
        contract: Contract,
        provider_codes: list[str],
        start: datetime | None,
        end: datetime | None,
        limit: int,
    ) -> list[NewsHeadline]:
        self._record("news_headlines", contract.con_id, provider_codes, start, end, limit)
        found = [
            h
            for h in self.headlines
            if h.provider_code in provider_codes
            and (end is None or datetime.fromisoformat(h.time) <= end)  # IB: end inclusive
        ]
        return found[:limit]

    async def news_article(self, provider_code: str, article_id: str) -> ArticleBody:
        self._record("news_article", provider_code, article_id)
        body = self.articles.get((provider_code, article_id))
        if body is None:
            raise DataNotFound(f"no article {article_id}")
        return body

    async def fundamentals(self, contract: Contract, report_type: str) -> FundamentalsReport:
        self._record("fundamentals", contract.con_id, report_type)
        report = self.reports.get((contract.con_id, report_type))
        if report is None:
            raise DataNotFound(f"IB has no fundamentals data for {contract.symbol} (430)")
        return report

    async def corporate_events(
        self, contract: Contract, start: date | None, end: date | None, limit: int
    ) -> list[CorporateEvent]:
        self._record("corporate_events", contract.con_id, start, end, limit)
        return list(self.events.get(contract.con_id, []))[:limit]

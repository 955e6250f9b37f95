"""News, fundamentals and corporate events through the real IbBroker against the simulator."""

from __future__ import annotations

import asyncio
import base64
from datetime import UTC, datetime, timedelta

import pytest

from adapters.ib.broker import IbBroker
from domain.contract import ContractQuery
from domain.errors import DataNotFound, InvalidRequest
from domain.fundamentals import REPORT_TYPES
from tests.ib.conftest import SESSION_OPEN, stock


async def test_providers_headlines_and_articles(broker: IbBroker) -> None:
    async with asyncio.timeout(15):
        codes = [p.code for p in await broker.news_providers()]
        assert {"BRFG", "BRFUPDN", "DJNL"} <= set(codes)
        aapl = await stock(broker)
        since = SESSION_OPEN - timedelta(days=5)
        news = await broker.news_headlines(aapl, codes, since, None, 40)
        assert news and len(news) <= 40
        first = news[0]
        assert datetime.fromisoformat(first.time).tzinfo is not None
        assert all(since < datetime.fromisoformat(n.time) <= SESSION_OPEN for n in news)
        assert not first.headline.startswith("{") and first.language == "en"
        assert first.sentiment is not None and -1 <= first.sentiment <= 1
        text = next(n for n in news if n.provider_code != "DJNL")
        body = await broker.news_article(text.provider_code, text.article_id)
        assert body.article_type == 0 and text.headline in body.text
        older = await broker.news_headlines(aapl, ["DJNL"], SESSION_OPEN - timedelta(days=29),
                                            None, 300)  # fmt: skip
        pdf = await broker.news_article("DJNL", older[0].article_id)
        assert pdf.article_type == 1 and base64.b64decode(pdf.text)[:4] == b"%PDF"


async def test_news_refusals_are_the_callers_to_fix(broker: IbBroker) -> None:
    async with asyncio.timeout(15):
        aapl = await stock(broker)
        with pytest.raises(InvalidRequest, match="10276"):
            await broker.news_headlines(aapl, ["NOPE"], None, None, 5)
        with pytest.raises(DataNotFound, match="10172"):
            await broker.news_article("BRFG", "BRFG$ffff202501010")


async def test_every_report_type_reads_into_fields(broker: IbBroker) -> None:
    async with asyncio.timeout(20):
        aapl = await stock(broker)
        reports = {kind: await broker.fundamentals(aapl, kind) for kind in REPORT_TYPES}
        snapshot = reports["ReportSnapshot"]
        assert snapshot.company is not None and snapshot.company.ticker == "AAPL"
        assert snapshot.company.shares_outstanding and snapshot.market_cap
        assert snapshot.market_cap == pytest.approx(
            snapshot.company.shares_outstanding * snapshot.ratios["price"], rel=1e-4
        )
        assert {"pe_ratio", "eps_ttm", "price"} <= set(snapshot.ratios)
        assert "target_price" in snapshot.forecasts
        summary = reports["ReportsFinSummary"].summary
        assert summary and summary[0].as_of >= summary[-1].as_of and summary[0].eps is not None
        statements = reports["ReportsFinStatements"].statements
        kinds = {(s.statement, s.period_type) for s in statements}
        assert ("income", "annual") in kinds and ("balance_sheet", "interim") in kinds
        income = next(s for s in statements if s.statement == "income")
        assert "Revenue" in income.items and "Net Income" in income.items
        holders = reports["ReportsOwnership"].holders
        assert holders[0].shares and holders[0].shares >= holders[-1].shares  # type: ignore[operator]
        estimates = reports["RESC"].estimates
        assert any(e.kind == "estimate" and e.measure == "EPS" and e.analysts for e in estimates)
        events = reports["CalendarReport"].events
        assert any(e.type == "EarningsRelease" for e in events)


async def test_an_instrument_without_fundamentals_is_data_not_found(broker: IbBroker) -> None:
    async with asyncio.timeout(15):
        spy = await stock(broker, "SPY")
        with pytest.raises(DataNotFound, match="430"):
            await broker.fundamentals(spy, "ReportSnapshot")


async def test_corporate_events_of_a_stock(broker: IbBroker) -> None:
    async with asyncio.timeout(15):
        aapl = await stock(broker)
        events = await broker.corporate_events(aapl, None, None, 50)
        assert {e.type for e in events} >= {"wshe_ed"}
        assert [e.date for e in events] == sorted(e.date for e in events)
        earnings = next(e for e in events if e.type == "wshe_ed")
        assert earnings.details["earnings_date"] == earnings.date
        start = datetime.fromisoformat(events[1].date).replace(tzinfo=UTC).date()
        later = await broker.corporate_events(aapl, start, None, 1)
        assert [e.date for e in later] == [events[1].date]
        (es,) = (await broker.contract_details(ContractQuery(symbol="ES", sec_type="FUT")))[:1]
        assert await broker.corporate_events(es, None, None, 5) == []

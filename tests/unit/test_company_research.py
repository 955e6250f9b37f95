"""News and fundamentals use cases over the fake broker; the XML reader's refusals."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import pytest

from adapters.ib.fundamentals_xml import parse, read_report
from application.container import Services, build_services
from domain.errors import DataNotFound, GatewayError, InvalidRequest
from domain.fundamentals import (
    CorporateEvent,
    FundamentalsReport,
    Holder,
    StatementPeriod,
    SummaryRow,
)
from domain.news import ArticleBody, headline
from tests.fake_company import AAPL, AAPL_CALL, FakeCompanyBroker
from tests.fakes import FakeClock, FakeGateway

LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<ReportSnapshot><CoIDs><CoID Type="CompanyName">&lol2;</CoID></CoIDs></ReportSnapshot>"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><RESC>&x;</RESC>"""


@pytest.fixture
def broker() -> FakeCompanyBroker:
    return FakeCompanyBroker()


@pytest.fixture
def services(broker: FakeCompanyBroker) -> Services:
    return build_services(broker, FakeGateway(), FakeClock())


@pytest.mark.parametrize("text", [LAUGHS, EXTERNAL, "<!doctype x><x/>", "<a><b></a>"])
def test_the_xml_reader_refuses_dtds_entities_and_broken_xml(text: str) -> None:
    with pytest.raises(GatewayError, match=r"refused|not well-formed"):
        parse(text)


def test_the_xml_reader_refuses_an_oversized_report() -> None:
    with pytest.raises(GatewayError, match="refused"):
        parse("<a>" + "x" * 4_000_001 + "</a>")


def test_the_reader_maps_ib_fields_and_bounds_lists() -> None:
    owners = "".join(f"<Owner><name>H{i}</name><quantity>{i}</quantity></Owner>"
                     for i in range(1000))  # fmt: skip
    report = read_report("ReportsOwnership", f"<OwnershipSnapshot>{owners}</OwnershipSnapshot>")
    assert len(report.holders) == 400 and report.holders[0].name == "H399"


def test_a_headline_loses_ibs_metadata_prefix() -> None:
    parsed = headline("t", "BZ", "BZ$1", "{A:800015:L:en:K:-0.97:C:0.97}Shares slide")
    assert (parsed.headline, parsed.language, parsed.sentiment) == ("Shares slide", "en", -0.97)
    plain = headline("t", "BZ", "BZ$1", "No prefix here")
    assert plain.headline == "No prefix here" and plain.sentiment is None


async def test_headlines_default_to_every_provider_and_page_back(
    services: Services, broker: FakeCompanyBroker
) -> None:
    assert services.news is not None
    page = await services.news.headlines(AAPL.con_id, limit=3)
    assert page.providers == ["BRFG", "BZ"] and page.count == 3
    assert page.next_end == "2025-03-07T13:59:59+00:00"  # IB's end is inclusive
    assert page.headlines[-1].time == "2025-03-07T14:00:00+00:00"
    everything = await services.news.headlines(AAPL.con_id, ["brfg"], limit=50)
    assert everything.count == 9 and everything.next_end is None


async def test_unknown_providers_name_the_accounts_providers(services: Services) -> None:
    assert services.news is not None
    with pytest.raises(InvalidRequest) as caught:
        await services.news.headlines(AAPL.con_id, ["DJ-N"])
    assert caught.value.accepted == ["BRFG", "BZ"] and caught.value.field == "providers"
    with pytest.raises(InvalidRequest, match="start must be before end"):
        now = datetime(2025, 3, 4, tzinfo=UTC)
        await services.news.headlines(AAPL.con_id, start=now, end=now)


async def test_articles_are_cut_to_max_chars_and_pdfs_only_sent_whole(
    services: Services, broker: FakeCompanyBroker
) -> None:
    assert services.news is not None
    broker.articles[("BRFG", "BRFG$1")] = ArticleBody(article_type=0, text="x" * 100)
    broker.articles[("BZ", "BZ$2")] = ArticleBody(article_type=1, text="JVBER" * 40)
    whole = await services.news.article("BRFG", "BRFG$1")
    assert whole.text == "x" * 100 and not whole.truncated
    cut = await services.news.article("brfg", "BRFG$1", max_chars=10)
    assert cut.text == "x" * 10 and cut.truncated and cut.length == 100
    pdf = await services.news.article("BZ", "BZ$2", max_chars=100)
    assert pdf.article_type == "pdf" and pdf.pdf_base64 is None and "200" in (pdf.message or "")
    with pytest.raises(DataNotFound):
        await services.news.article("BZ", "BZ$404")


async def test_fundamentals_are_cut_to_the_limit(
    services: Services, broker: FakeCompanyBroker
) -> None:
    assert services.fundamentals is not None
    rows = [SummaryRow(as_of=f"2024-{m:02d}-28", period="3M", report_type="R", eps=1.0)
            for m in range(12, 0, -1)]  # fmt: skip
    statements = [StatementPeriod(statement=s, period_type="annual", end_date=f"202{y}-12-31",
                                  items={"Revenue": 1.0})
                  for y in (4, 3, 2, 1) for s in ("income", "cash_flow")]  # fmt: skip
    broker.reports[(AAPL.con_id, "ReportsFinSummary")] = FundamentalsReport(summary=rows)
    broker.reports[(AAPL.con_id, "ReportsFinStatements")] = FundamentalsReport(
        statements=statements
    )
    summary = await services.fundamentals.fundamentals(AAPL.con_id, "reportsfinsummary", 5)
    assert summary.report_type == "ReportsFinSummary" and len(summary.summary) == 5
    assert summary.truncated and summary.summary[0].as_of == "2024-12-28"
    shaped = await services.fundamentals.fundamentals(AAPL.con_id, "ReportsFinStatements", 2)
    assert [(s.statement, s.end_date[:4]) for s in shaped.statements] == [
        ("income", "2024"), ("cash_flow", "2024"), ("income", "2023"), ("cash_flow", "2023")
    ]  # fmt: skip
    broker.reports[(AAPL.con_id, "ReportsOwnership")] = FundamentalsReport(
        holders=[Holder(name="A", shares=1.0)]
    )
    small = await services.fundamentals.fundamentals(AAPL.con_id, "ReportsOwnership")
    assert not small.truncated and "statements" not in msgspec.to_builtins(small)


async def test_fundamentals_refusals(services: Services, broker: FakeCompanyBroker) -> None:
    assert services.fundamentals is not None
    with pytest.raises(InvalidRequest) as caught:
        await services.fundamentals.fundamentals(AAPL.con_id, "Balance")
    assert caught.value.accepted and "RESC" in caught.value.accepted
    with pytest.raises(DataNotFound, match="stocks only"):
        await services.fundamentals.fundamentals(AAPL_CALL.con_id, "ReportSnapshot")
    with pytest.raises(DataNotFound, match="430"):
        await services.fundamentals.fundamentals(AAPL.con_id, "RESC")
    assert broker.called("fundamentals") == [(AAPL.con_id, "RESC")]  # the option never asked


async def test_corporate_events(services: Services, broker: FakeCompanyBroker) -> None:
    assert services.fundamentals is not None
    broker.events[AAPL.con_id] = [CorporateEvent(type="wshe_ed", date=f"2025-0{m}-01")
                                  for m in range(1, 8)]  # fmt: skip
    found = await services.fundamentals.corporate_events(AAPL.con_id, limit=3)
    assert found.count == 3 and found.symbol == "AAPL"
    with pytest.raises(DataNotFound, match="stocks only"):
        await services.fundamentals.corporate_events(AAPL_CALL.con_id)

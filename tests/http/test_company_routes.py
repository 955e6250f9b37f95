"""The news and fundamentals routes through an HTTP client: answers, 400s, 404s, 501."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from application.container import build_services
from domain.fundamentals import CorporateEvent, FundamentalsReport, SummaryRow
from domain.news import ArticleBody, NewsHeadline
from entrypoints.http.app import create_http_app
from tests.fake_company import AAPL, AAPL_CALL, FakeCompanyBroker
from tests.fakes import FakeBroker, FakeClock, FakeGateway


@pytest.fixture
def company() -> FakeCompanyBroker:
    return FakeCompanyBroker()


@pytest.fixture
def http(company: FakeCompanyBroker) -> Iterator[TestClient]:
    app = create_http_app(build_services(company, FakeGateway(), FakeClock()))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_news_routes(http: TestClient, company: FakeCompanyBroker) -> None:
    providers = http.get("/ibkr/news/providers")
    assert providers.status_code == 200 and providers.json()["providers"][0]["code"] == "BRFG"
    page = http.get(f"/ibkr/contracts/{AAPL.con_id}/news",
                    params={"providers": "brfg", "limit": 2, "start": "2025-03-01T00:00:00Z"})  # fmt: skip
    assert page.status_code == 200 and page.json()["count"] == 2
    (asked,) = company.called("news_headlines")
    assert asked[1] == ["BRFG"] and asked[2].isoformat() == "2025-03-01T00:00:00+00:00"
    unknown = http.get(f"/ibkr/contracts/{AAPL.con_id}/news", params={"providers": "DJ-N"})
    assert unknown.status_code == 400 and unknown.json()["accepted"] == ["BRFG", "BZ"]
    bad_time = http.get(f"/ibkr/contracts/{AAPL.con_id}/news", params={"start": "yesterday"})
    assert bad_time.status_code == 400 and bad_time.json()["field"] == "start"
    assert http.get(f"/ibkr/contracts/{AAPL.con_id}/news", params={"limit": 301}).status_code == 400
    company.articles[("BZ", "BZ$1")] = ArticleBody(article_type=0, text="Body")
    article = http.get("/ibkr/news/article", params={"provider_code": "BZ", "article_id": "BZ$1"})
    assert article.status_code == 200 and article.json()["text"] == "Body"
    missing = http.get("/ibkr/news/article", params={"provider_code": "BZ", "article_id": "BZ$2"})
    assert missing.status_code == 404 and missing.json()["code"] == "data_not_found"


def test_news_pages_read_every_headline_once_when_a_page_ends_inside_a_second(
    http: TestClient, company: FakeCompanyBroker
) -> None:
    """Seven headlines over four seconds, pages of three: a page that would end inside a
    second leaves that second to the next page, which starts at it (IB's end is inclusive);
    the service asks for one headline more than the page to know."""
    seconds = ["14:00:05", "14:00:04", "14:00:04", "14:00:04", "14:00:03", "14:00:03", "14:00:02"]
    company.headlines = [
        NewsHeadline(time=f"2025-03-03T{t}+00:00", provider_code="BRFG", article_id=f"BRFG${i}",
                     headline=f"story {i}")
        for i, t in enumerate(seconds)
    ]  # fmt: skip
    read: list[str] = []
    ends: list[str | None] = []
    params: dict[str, str | int] = {"limit": 3}
    for _ in range(10):
        page = http.get(f"/ibkr/contracts/{AAPL.con_id}/news", params=params).json()
        read += [h["article_id"] for h in page["headlines"]]
        ends.append(page["next_end"])
        if page["next_end"] is None:
            break
        params["end"] = page["next_end"]
    assert read == [f"BRFG${i}" for i in range(7)]
    assert ends == ["2025-03-03T14:00:04+00:00", "2025-03-03T14:00:03+00:00", None]
    assert [call[-1] for call in company.called("news_headlines")] == [4, 4, 4]


def test_a_page_all_of_one_second_reads_on_from_the_second_before(
    http: TestClient, company: FakeCompanyBroker
) -> None:
    company.headlines = [
        NewsHeadline(time="2025-03-03T14:00:04+00:00", provider_code="BRFG",
                     article_id=f"BRFG${i}", headline=f"story {i}")
        for i in range(3)
    ]  # fmt: skip
    page = http.get(f"/ibkr/contracts/{AAPL.con_id}/news", params={"limit": 2}).json()
    assert page["count"] == 2 and page["next_end"] == "2025-03-03T14:00:03+00:00"
    whole = http.get(f"/ibkr/contracts/{AAPL.con_id}/news", params={"limit": 3}).json()
    assert whole["count"] == 3 and whole["next_end"] is None  # nothing more: no next page


def test_fundamentals_routes(http: TestClient, company: FakeCompanyBroker) -> None:
    company.reports[(AAPL.con_id, "ReportsFinSummary")] = FundamentalsReport(
        summary=[SummaryRow(as_of="2024-12-31", period="12M", report_type="A", eps=6.1)]
    )
    found = http.get(f"/ibkr/contracts/{AAPL.con_id}/fundamentals",
                     params={"report_type": "reportsfinsummary"})  # fmt: skip
    assert found.status_code == 200
    assert found.json()["report_type"] == "ReportsFinSummary"
    assert found.json()["summary"][0]["eps"] == 6.1
    unknown = http.get(f"/ibkr/contracts/{AAPL.con_id}/fundamentals",
                       params={"report_type": "Balance"})  # fmt: skip
    assert unknown.status_code == 400 and "ReportSnapshot" in unknown.text
    option = http.get(f"/ibkr/contracts/{AAPL_CALL.con_id}/fundamentals")
    assert option.status_code == 404 and option.json()["code"] == "data_not_found"
    none = http.get(f"/ibkr/contracts/{AAPL.con_id}/fundamentals", params={"report_type": "RESC"})
    assert none.status_code == 404
    company.events[AAPL.con_id] = [CorporateEvent(type="wshe_ed", date="2025-04-30",
                                                  details={"time_of_day": "AFTER MARKET"})]  # fmt: skip
    events = http.get(f"/ibkr/contracts/{AAPL.con_id}/events", params={"start": "2025-01-01"})
    assert events.status_code == 200 and events.json()["events"][0]["date"] == "2025-04-30"
    bad = http.get(f"/ibkr/contracts/{AAPL.con_id}/events", params={"end": "soon"})
    assert bad.status_code == 400 and bad.json()["field"] == "end"


def test_a_broker_without_company_data_answers_501() -> None:
    app = create_http_app(build_services(FakeBroker(), FakeGateway(), FakeClock()))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        for path in ("/ibkr/news/providers", "/ibkr/contracts/265598/fundamentals"):
            answer = test_client.get(path)
            assert answer.status_code == 501 and answer.json()["code"] == "not_supported"

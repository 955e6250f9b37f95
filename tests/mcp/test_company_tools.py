"""The news and fundamentals tools through a real MCP client, on the IB adapter and the
simulated gateway: results match their output schemas, refusals are tool errors."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from fastmcp.exceptions import ToolError

from adapters.ib.broker import IbBroker
from adapters.simulated_gateway.tws.server import TwsSimulator
from application.container import Services, build_services
from domain.fundamentals import REPORT_TYPES
from tests.fakes import FakeClock, FakeGateway
from tests.ib.conftest import connected, simulator  # noqa: F401 (fixture)

AAPL, SPY = 265598, 756733


@pytest.fixture
async def ib_broker(simulator: TwsSimulator) -> AsyncIterator[IbBroker]:  # noqa: F811
    async with connected(simulator) as broker:
        yield broker


@pytest.fixture
def services(ib_broker: IbBroker) -> Services:
    return build_services(ib_broker, FakeGateway(), FakeClock())


async def test_news_tools(call) -> None:
    providers = await call("get_news_providers")
    codes = [p["code"] for p in providers["providers"]]
    assert "BRFG" in codes
    page = await call("get_news", contract_id=AAPL, limit=5)
    assert page["count"] == 5 and page["providers"] == codes and page["next_end"]
    older = await call("get_news", contract_id=AAPL, end=page["next_end"], limit=5)
    assert older["headlines"][0]["time"] < page["headlines"][-1]["time"]
    story = next(h for h in page["headlines"] + older["headlines"] if h["provider_code"] != "DJNL")
    article = await call("get_news_article", provider_code=story["provider_code"],
                         article_id=story["article_id"], max_chars=40)  # fmt: skip
    assert article["article_type"] == "text" and article["truncated"]
    assert len(article["text"]) == 40 and article["length"] > 40
    with pytest.raises(ToolError, match=r"invalid_request.*BRFG"):
        await call("get_news", contract_id=AAPL, providers="NOPE")
    with pytest.raises(ToolError, match=r"data_not_found.*10172"):
        await call("get_news_article", provider_code="BRFG", article_id="BRFG$ffff202501010")


async def test_fundamentals_tools(call) -> None:
    for kind in REPORT_TYPES:
        report = await call("get_fundamentals", contract_id=AAPL, report_type=kind)
        assert report["report_type"] == kind and report["symbol"] == "AAPL"
        assert len(json.dumps(report)) < 20_000, kind
        assert "<" not in json.dumps(report)  # fields, never XML
    snapshot = await call("get_fundamentals", contract_id=AAPL, report_type="reportsnapshot")
    assert snapshot["company"]["ticker"] == "AAPL" and snapshot["market_cap"] > 1e11
    statements = await call("get_fundamentals", contract_id=AAPL,
                            report_type="ReportsFinStatements", limit=1)  # fmt: skip
    assert len(statements["statements"]) == 6 and statements["truncated"]  # 3 kinds x 2
    with pytest.raises(ToolError, match=r"data_not_found.*430"):
        await call("get_fundamentals", contract_id=SPY)
    with pytest.raises(ToolError, match="report_type"):
        await call("get_fundamentals", contract_id=AAPL, report_type="Balance")
    events = await call("get_corporate_events", contract_id=AAPL, limit=3)
    assert events["count"] == 3 and events["events"][0]["type"] in ("wshe_ed", "wshe_div")
    with pytest.raises(ToolError, match="start"):
        await call("get_corporate_events", contract_id=AAPL, start="2025-13-01")

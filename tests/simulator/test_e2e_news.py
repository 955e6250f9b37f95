"""News through a real ib_async client: providers, historical headlines, articles, errors."""

from __future__ import annotations

import asyncio
import base64
from datetime import UTC, timedelta

import pytest
from ib_async import Stock
from ib_async.wrapper import RequestError

from tests.simulator.e2e import MARKET_OPEN, client, simulator


async def test_providers_headlines_and_articles(no_decoder_errors) -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(10):
        ib.RaiseRequestErrors = True
        providers = await ib.reqNewsProvidersAsync()
        codes = {p.code for p in providers}
        assert {"BRFG", "BRFUPDN", "DJNL"} <= codes and all(p.name for p in providers)
        (aapl,) = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
        every = "+".join(sorted(codes))
        week_ago = MARKET_OPEN - timedelta(days=7)
        news = await ib.reqHistoricalNewsAsync(aapl.conId, every, week_ago, "", 50)
        assert news, "no headlines"
        times = [n.time.replace(tzinfo=UTC) for n in news]
        assert times == sorted(times, reverse=True)  # newest first
        assert all(week_ago < t <= MARKET_OPEN for t in times)
        assert all(n.headline.startswith("{A:") and n.providerCode in codes for n in news)
        again = await ib.reqHistoricalNewsAsync(aapl.conId, every, week_ago, "", 50)
        assert again == news  # deterministic
        few = await ib.reqHistoricalNewsAsync(aapl.conId, every, "", "", 3)
        assert len(few) == 3 and few == news[:3]
        only = await ib.reqHistoricalNewsAsync(aapl.conId, "BRFUPDN", week_ago, "", 50)
        assert only and {n.providerCode for n in only} == {"BRFUPDN"}
        text = next(n for n in news if n.providerCode != "DJNL")
        article = await ib.reqNewsArticleAsync(text.providerCode, text.articleId)
        assert article.articleType == 0 and "AAPL" in article.articleText
        pdfs = await ib.reqHistoricalNewsAsync(
            aapl.conId, "DJNL", MARKET_OPEN - timedelta(days=29), "", 300
        )
        assert pdfs
        pdf = await ib.reqNewsArticleAsync("DJNL", pdfs[0].articleId)
        assert pdf.articleType == 1 and base64.b64decode(pdf.articleText).startswith(b"%PDF")


async def test_unknown_provider_and_article_get_ibs_errors() -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(10):
        ib.RaiseRequestErrors = True
        with pytest.raises(RequestError) as refused:
            await ib.reqHistoricalNewsAsync(265598, "NOPE", "", "", 10)
        assert refused.value.code == 10276
        with pytest.raises(RequestError) as missing:
            await ib.reqNewsArticleAsync("BRFG", "BRFG$deadbeef202501010")
        assert missing.value.code == 10172
        with pytest.raises(RequestError) as not_ours:
            await ib.reqNewsArticleAsync("XX", "XX$1")
        assert not_ours.value.code == 10276

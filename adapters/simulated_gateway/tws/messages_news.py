"""Server -> client news messages: NEWS_ARTICLE (83), NEWS_PROVIDERS (85), HISTORICAL_NEWS (86)
and HISTORICAL_NEWS_END (87), as ib_async 2.1.0 decodes them (no version fields)."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.simulated_gateway.markets.news import Headline
from adapters.simulated_gateway.tws.messages import Fields

NEWS_ARTICLE = "83"
NEWS_PROVIDERS = "85"
HISTORICAL_NEWS = "86"
HISTORICAL_NEWS_END = "87"


def news_providers(providers: Sequence[tuple[str, str]]) -> Fields:
    fields = [NEWS_PROVIDERS, str(len(providers))]
    for code, name in providers:
        fields += [code, name]
    return fields


def historical_news(req_id: int, item: Headline) -> Fields:
    """One headline; IB writes its time as ``YYYY-MM-DD HH:MM:SS.0`` (UTC, no zone)."""
    time = item.time.strftime("%Y-%m-%d %H:%M:%S.0")
    return [HISTORICAL_NEWS, str(req_id), time, item.provider, item.article_id, item.headline]


def historical_news_end(req_id: int, has_more: bool) -> Fields:
    return [HISTORICAL_NEWS_END, str(req_id), "1" if has_more else "0"]


def news_article(req_id: int, article_type: int, text: str) -> Fields:
    return [NEWS_ARTICLE, str(req_id), str(article_type), text]

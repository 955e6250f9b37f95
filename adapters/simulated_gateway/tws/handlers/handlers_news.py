"""News requests: providers (85 -> 85), historical headlines (86 -> 86..., 87) and an article
(84 -> 83). Unknown providers and articles get IB's errors (news.NEWS_NOT_ALLOWED, 10172)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from adapters.simulated_gateway.markets.news import (
    ARTICLE_NOT_FOUND,
    NEWS_NOT_ALLOWED,
    PROVIDER_CODES,
    PROVIDERS,
    Headline,
    NewsDesk,
)
from adapters.simulated_gateway.tws import messages_news as nm
from adapters.simulated_gateway.tws.handlers.handlers_contracts import parse_end_time
from adapters.simulated_gateway.tws.wire import FieldReader

if TYPE_CHECKING:
    from adapters.simulated_gateway.tws.client import Client


def parse_news_time(text: str) -> datetime | None:
    """IB's news times: ``YYYY-MM-DD HH:MM:SS[.0]`` (UTC) or the usual ``YYYYMMDD HH:MM:SS
    [zone]`` that ib_async sends; empty for no bound. Raises ValueError."""
    text = text.strip()
    if len(text) >= 19 and text[4] == "-" and text[7] == "-":
        return datetime.strptime(text[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    return parse_end_time(text, "UTC")


class NewsHandlers:
    def __init__(self, session: Client) -> None:
        self.session = session
        self.desk = NewsDesk(getattr(session.world, "seed", 0))

    def routes(self) -> dict[str, Any]:
        return {"84": self.req_news_article, "85": self.req_news_providers,
                "86": self.req_historical_news}  # fmt: skip

    def req_news_providers(self, fields: list[str]) -> None:
        self.session.send(nm.news_providers(PROVIDERS))

    def req_historical_news(self, fields: list[str]) -> None:
        r = FieldReader(fields, 1)
        req_id, con_id, codes = r.integer(), r.integer(), r.text()
        start, end, total = parse_news_time(r.text()), parse_news_time(r.text()), r.integer()
        providers = [c.strip() for c in codes.split("+") if c.strip()]
        if not providers or any(c not in PROVIDER_CODES for c in providers):
            self.session.error(req_id, *NEWS_NOT_ALLOWED)
            return
        inst = self.session.world.by_con_id(con_id)
        if inst is None:
            self.session.error(req_id, 200, "No security definition has been found for the request")
            return
        now = self.session.world.now()
        end = min(end, now) if end is not None else now
        found: list[Headline] = []  # news is kept for stocks and ETFs only
        more = False
        if inst.sec_type == "STK":
            found, more = self.desk.headlines(inst, providers, start, end, total)
        for item in found:
            self.session.send(nm.historical_news(req_id, item))
        self.session.send(nm.historical_news_end(req_id, more))

    def req_news_article(self, fields: list[str]) -> None:
        r = FieldReader(fields, 1)
        req_id, provider, article_id = r.integer(), r.text(), r.text()
        if provider not in PROVIDER_CODES:
            self.session.error(req_id, *NEWS_NOT_ALLOWED)
            return
        found = self.desk.article(provider, article_id, self.session.world.listed())
        if found is None:
            text = f"Failed to request news article: article {article_id!r} of {provider} not found"
            self.session.error(req_id, ARTICLE_NOT_FOUND, text)
            return
        self.session.send(nm.news_article(req_id, *found))

"""Wall Street Horizon corporate events: the metadata (event types and filters) and the
events of a listed common stock (earnings dates, ex-dividend dates) as JSON, from the same
simulated company as the fundamentals reports."""

from __future__ import annotations

import json
from datetime import date

from adapters.simulated_gateway.markets.company import Company

EVENT_TYPES = (
    ("wshe_ed", "Earnings Date"),
    ("wshe_div", "Dividend Date"),
)


def meta_data() -> str:
    return json.dumps({
        "meta_data_version": "1.0",
        "event_types": [{"tag": tag, "name": name} for tag, name in EVENT_TYPES],
        "filters": [{"tag": "watchlist", "name": "Watchlist"},
                    {"tag": "portfolio", "name": "Portfolio"}],
    })  # fmt: skip


def events(c: Company, today: date, start: date | None, end: date | None, limit: int) -> str:
    """The events within [start, end] (either open), oldest first, at most ``limit`` (all
    when 0 or less)."""
    found: list[dict[str, object]] = []
    for day in c.earnings_dates:
        found.append({
            "event_type": "wshe_ed", "conid": c.con_id, "symbol": c.symbol,
            "index_date": day.strftime("%Y%m%d"),
            "data": {"earnings_date": day.isoformat(), "time_of_day": "AFTER MARKET",
                     "status": "CONFIRMED" if day <= today else "UNCONFIRMED",
                     "fiscal_quarter": f"Q{(day.month - 2) // 3 % 4 + 1}"},
        })  # fmt: skip
    for ex in c.ex_dividend_dates:
        found.append({
            "event_type": "wshe_div", "conid": c.con_id, "symbol": c.symbol,
            "index_date": ex.strftime("%Y%m%d"),
            "data": {"ex_date": ex.isoformat(), "amount": c.dividend_per_quarter,
                     "currency": "USD", "frequency": "QUARTERLY"},
        })  # fmt: skip
    found.sort(key=lambda e: str(e["index_date"]))
    if start is not None:
        found = [e for e in found if str(e["index_date"]) >= start.strftime("%Y%m%d")]
    if end is not None:
        found = [e for e in found if str(e["index_date"]) <= end.strftime("%Y%m%d")]
    return json.dumps(found[:limit] if limit > 0 else found)

"""reqExecutions' filter (message 7): which fills a client asked for."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from adapters.simulated_gateway.model import Fill
from adapters.simulated_gateway.tws.wire import FieldReader

_SIDES = {"BUY": "BOT", "SELL": "SLD", "BOT": "BOT", "SLD": "SLD"}


def _parse_since(text: str) -> datetime | None:
    # "yyyymmdd hh:mm:ss [zone]" or "yyyymmdd-hh:mm:ss" (UTC); IB means "fills after this time"
    text = text.strip()
    if not text:
        return None
    if "-" in text and " " not in text:
        day, clock = text.split("-", 1)
        return datetime.strptime(day + clock, "%Y%m%d%H:%M:%S").replace(tzinfo=UTC)
    parts = text.split(" ", 2)
    zone = ZoneInfo(parts[2]) if len(parts) == 3 else UTC
    clock = parts[1] if len(parts) > 1 else "00:00:00"
    return datetime.strptime(parts[0] + clock, "%Y%m%d%H:%M:%S").replace(tzinfo=zone)


def read_execution_filter(fields: list[str]) -> tuple[int, Callable[[Fill], bool]]:
    """`7|3|reqId|clientId|acct|time|symbol|secType|exchange|side`; "0"/"" means any."""
    r = FieldReader(fields, 2)
    req_id = r.integer()
    client_id = r.integer()
    account = r.text()
    since = _parse_since(r.text())
    symbol = r.text()
    sec_type = r.text()
    exchange = r.text()
    side = _SIDES.get(r.text().upper(), "")

    def wanted(fill: Fill) -> bool:
        inst = fill.instrument
        return (
            (not client_id or fill.client_id == client_id)
            and (not account or fill.account == account)
            and (since is None or fill.time >= since)
            and (not symbol or inst.symbol == symbol)
            and (not sec_type or inst.sec_type == sec_type)
            and (not exchange or exchange in (inst.exchange, inst.primary_exchange))
            and (not side or fill.side == side)
        )

    return req_id, wanted

"""Wall Street Horizon corporate events from IB (``reqWshMetaData``, ``reqWshEventData``).

IB wants the metadata requested before events (once a day after its restart): it is asked
for once per session day and kept. ib_async keeps one request of each kind at a time, so
they are serialised. IB's JSON is read tolerantly into ``CorporateEvent``s, each with at
most ``MAX_DETAILS`` scalar details.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from ib_async import WshEventData

from adapters.ib.calls import IbCalls
from adapters.ib.pacing import TtlCache
from application.ports import Clock
from domain.contract import Contract
from domain.errors import GatewayError
from domain.fundamentals import MAX_EVENTS, CorporateEvent

META_TTL = 12 * 3600.0
MAX_DETAILS = 20
MAX_DETAIL_TEXT = 200
MAX_JSON = 1_000_000


class IbCorporateEvents:
    def __init__(self, calls: IbCalls, clock: Clock) -> None:
        self._calls = calls
        self._meta: TtlCache[str] = TtlCache(clock, META_TTL, 1)
        # IB wants the metadata asked for in each API session before any event data.
        calls.supervisor.on_connect(lambda _ib: self._meta.clear())

    async def events(
        self, contract: Contract, start: date | None, end: date | None, limit: int
    ) -> list[CorporateEvent]:
        await self._meta_data()
        wanted = WshEventData(
            conId=contract.con_id,
            startDate=start.strftime("%Y%m%d") if start else "",
            endDate=end.strftime("%Y%m%d") if end else "",
            totalLimit=min(limit, MAX_EVENTS),
        )
        text = await self._calls.run(
            f"the corporate events of {contract.symbol}",
            lambda ib: ib.getWshEventDataAsync(wanted),
            serial="wshEventData",
        )
        return parse_events(text)[:limit]

    async def _meta_data(self) -> None:
        if self._meta.get("meta") is not None:
            return
        text = await self._calls.run(
            "Wall Street Horizon's metadata", lambda ib: ib.getWshMetaDataAsync(),
            serial="wshMetaData",
        )  # fmt: skip
        self._meta.put("meta", text)


def parse_events(text: str) -> list[CorporateEvent]:
    """IB's event JSON: a list of events (or an object holding one), each with a type tag
    and an index date; oldest first."""
    if len(text) > MAX_JSON:
        raise GatewayError(f"IB sent {len(text)} characters of corporate events; refused")
    try:
        data = json.loads(text) if text.strip() else []
    except json.JSONDecodeError as exc:
        raise GatewayError(f"IB's corporate events are not JSON: {exc}") from exc
    if isinstance(data, dict):
        data = next((v for v in data.values() if isinstance(v, list)), [])
    if not isinstance(data, list):
        return []
    events = [e for e in (_event(item) for item in data[: MAX_EVENTS * 2]) if e is not None]
    return sorted(events, key=lambda e: e.date)


def _event(item: Any) -> CorporateEvent | None:
    if not isinstance(item, dict):
        return None
    kind = str(item.get("event_type") or item.get("type") or "")
    day = str(item.get("index_date") or item.get("date") or "")
    if not kind or not day:
        return None
    if len(day) == 8 and day.isdigit():
        day = f"{day[:4]}-{day[4:6]}-{day[6:]}"
    nested = item.get("data")
    source: dict[str, Any] = nested if isinstance(nested, dict) else item
    details: dict[str, Any] = {}
    for key, value in source.items():
        if len(details) >= MAX_DETAILS:
            break
        if key in ("event_type", "type", "index_date", "date", "data"):
            continue
        if isinstance(value, str):
            details[str(key)] = value[:MAX_DETAIL_TEXT]
        elif isinstance(value, bool | int | float) or value is None:
            details[str(key)] = value
    return CorporateEvent(type=kind[:40], date=day[:32], details=details)

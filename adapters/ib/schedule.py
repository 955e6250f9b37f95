"""The historical trading schedule: reqHistoricalData whatToShow=SCHEDULE (ib_async's
``reqHistoricalScheduleAsync``), answered by IB's HISTORICAL_SCHEDULE message (106).

IB serves it from its historical data service, so it passes the same ``HistoricalPacer`` as
historical bars, and an identical request within the cache's time is answered from it. IB
writes each time as ``YYYYMMDD-HH:MM:SS`` in the zone it names and each trading day as
``YYYYMMDD``; they become ISO 8601 with the zone's offset.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from adapters.ib import mapping
from adapters.ib.calls import IbCalls
from adapters.ib.pacing import HistoricalPacer, SingleFlight, TtlCache
from application.ports import Clock
from domain.contract import Contract
from domain.errors import MarketDataUnavailable
from domain.trading_schedule import BrokerSchedule, ScheduledSession

WHAT_TO_SHOW = "SCHEDULE"


def _zone(name: str) -> tzinfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None  # a name the zone database lacks: the times are kept without an offset


def _moment(text: str, zone: tzinfo | None) -> str:
    """``20250304-09:30:00`` (or with a space) in ``zone``, as ISO 8601."""
    moment = datetime.strptime(text.strip().replace("-", " ", 1), "%Y%m%d %H:%M:%S")
    return (moment.replace(tzinfo=zone) if zone else moment).isoformat()


def _day(text: str) -> str:
    return datetime.strptime(text.strip(), "%Y%m%d").date().isoformat()


def to_schedule(raw: Any, symbol: str) -> BrokerSchedule:
    """ib_async's ``HistoricalSchedule`` as the domain's; MarketDataUnavailable when IB's
    answer is missing or not in its documented format."""
    if raw is None or not hasattr(raw, "sessions"):
        raise MarketDataUnavailable(f"IB sent no trading schedule for {symbol}")
    zone = _zone(raw.timeZone)
    try:
        sessions = [
            ScheduledSession(
                start=_moment(s.startDateTime, zone),
                end=_moment(s.endDateTime, zone),
                ref_date=_day(s.refDate),
            )
            for s in raw.sessions
        ]
    except (ValueError, AttributeError, TypeError) as exc:
        raise MarketDataUnavailable(
            f"IB sent a trading schedule for {symbol} in an unknown format ({exc})"
        ) from exc
    return BrokerSchedule(time_zone=raw.timeZone, sessions=sessions)


class IbSchedules:
    def __init__(self, calls: IbCalls, clock: Clock, pacer: HistoricalPacer) -> None:
        self._calls = calls
        self._pacer = pacer
        self._recent: TtlCache[BrokerSchedule] = TtlCache(
            clock, calls.settings.historical_cache_ttl, max_entries=64
        )
        self._flight = SingleFlight()

    async def historical_schedule(
        self, contract: Contract, days: int, end: datetime | None, use_rth: bool
    ) -> BrokerSchedule:
        key = ("schedule", contract.con_id, contract.exchange, days, end, use_rth)
        cached = self._recent.get(key)
        if cached is not None:
            return cached

        async def fetch() -> BrokerSchedule:
            self._calls.require()  # not connected: fail now, not after a pacing wait
            await self._pacer.acquire((contract.con_id, contract.exchange, WHAT_TO_SHOW))
            ib_contract = mapping.to_ib_contract(contract)
            raw = await self._calls.run(
                f"the trading schedule of {contract.symbol}",
                lambda ib: ib.reqHistoricalScheduleAsync(ib_contract, days, end or "", use_rth),
                limit=self._calls.settings.historical_timeout,
            )
            schedule = to_schedule(raw, contract.symbol)
            self._recent.put(key, schedule)
            return schedule

        return await self._flight.run(key, fetch)

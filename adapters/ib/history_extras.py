"""Head timestamps, historical ticks and histograms within IB's historical pacing.

All three are served by IB's historical market data service: each passes the same
``HistoricalPacer`` as historical bars (60 per 10 minutes, 6 per contract and data type per
2 s; BID_ASK ticks count twice, as IB counts them). Identical requests within the cache's
time are answered from it (IB refuses an identical request within 15 s); a head timestamp
never changes, so it is kept for an hour.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import UTC, date, datetime
from typing import Any

from adapters.ib import mapping
from adapters.ib.calls import IbCalls
from adapters.ib.pacing import HistoricalPacer, SingleFlight, TtlCache
from application.ports import Clock
from domain.contract import Contract
from domain.errors import MarketDataUnavailable
from domain.history_extras import HistogramBucket, HistoricalTick, TicksQuery

HEAD_TIMESTAMP_TTL = 3600.0


def _ib_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%d %H:%M:%S UTC")


def _tick(raw: Any, what: str) -> HistoricalTick:
    time = raw.time.astimezone(UTC).isoformat()
    if what == "BID_ASK":
        return HistoricalTick(
            time=time, bid=raw.priceBid, ask=raw.priceAsk,
            bid_size=float(raw.sizeBid), ask_size=float(raw.sizeAsk),
        )  # fmt: skip
    if what == "TRADES":
        return HistoricalTick(
            time=time, price=raw.price, size=float(raw.size), exchange=raw.exchange or ""
        )
    return HistoricalTick(time=time, price=raw.price)


class IbHistoryExtras:
    def __init__(self, calls: IbCalls, clock: Clock, pacer: HistoricalPacer) -> None:
        self._calls = calls
        self._pacer = pacer
        self._heads: TtlCache[datetime] = TtlCache(clock, HEAD_TIMESTAMP_TTL)
        self._recent: TtlCache[list[Any]] = TtlCache(
            clock, calls.settings.historical_cache_ttl, max_entries=64
        )  # tick lists are large
        self._flight = SingleFlight()

    async def head_timestamp(
        self, contract: Contract, what_to_show: str, use_rth: bool
    ) -> datetime:
        key = ("head", contract.con_id, contract.exchange, what_to_show, use_rth)
        cached = self._heads.get(key)
        if cached is not None:
            return cached

        async def fetch() -> datetime:
            await self._pace(contract, what_to_show)
            ib_contract = mapping.to_ib_contract(contract)
            found = await self._calls.run(
                f"the head timestamp of {contract.symbol}",
                lambda ib: ib.reqHeadTimeStampAsync(ib_contract, what_to_show, use_rth, 2),
                limit=self._calls.settings.historical_timeout,
            )
            if isinstance(found, datetime):
                first = found if found.tzinfo else found.replace(tzinfo=UTC)
            elif isinstance(found, date):
                first = datetime(found.year, found.month, found.day, tzinfo=UTC)
            else:
                raise MarketDataUnavailable(
                    f"IB sent no head timestamp for {contract.symbol} {what_to_show}"
                )
            self._heads.put(key, first)
            return first

        return await self._flight.run(key, fetch)

    async def historical_ticks(
        self, contract: Contract, query: TicksQuery, end: datetime | None
    ) -> list[HistoricalTick]:
        start_text = _ib_time(query.start) if query.start else ""
        last = query.end or end
        end_text = _ib_time(last) if last and not query.start else ""
        what = query.what_to_show
        key = ("ticks", contract.con_id, contract.exchange, start_text, end_text,
               query.count, what, query.use_rth)  # fmt: skip
        raw = await self._cached(key, contract, what, weight=2 if what == "BID_ASK" else 1,
                                 what_text=f"historical ticks of {contract.symbol}",
                                 request=lambda ib, c: ib.reqHistoricalTicksAsync(
                                     c, start_text, end_text, query.count, what,
                                     query.use_rth))  # fmt: skip
        return [_tick(t, what) for t in raw]

    async def histogram(
        self, contract: Contract, period: str, use_rth: bool
    ) -> list[HistogramBucket]:
        key = ("histogram", contract.con_id, contract.exchange, period, use_rth)
        raw = await self._cached(
            key, contract, "TRADES", weight=1,
            what_text=f"the histogram of {contract.symbol}",
            request=lambda ib, c: ib.reqHistogramDataAsync(c, use_rth, period),
        )  # fmt: skip
        return [HistogramBucket(price=float(h.price), volume=int(h.count)) for h in raw]

    async def _cached(
        self,
        key: Hashable,
        contract: Contract,
        what: str,
        *,
        weight: int,
        what_text: str,
        request: Any,
    ) -> list[Any]:
        cached = self._recent.get(key)
        if cached is not None:
            return cached

        async def fetch() -> list[Any]:
            await self._pace(contract, what, weight)
            ib_contract = mapping.to_ib_contract(contract)
            found = await self._calls.run(
                what_text,
                lambda ib: request(ib, ib_contract),
                limit=self._calls.settings.historical_timeout,
            )
            result = list(found or [])
            self._recent.put(key, result)
            return result

        return await self._flight.run(key, fetch)

    async def _pace(self, contract: Contract, what: str, weight: int = 1) -> None:
        self._calls.require()  # not connected: fail now, not after a pacing wait
        for _ in range(weight):
            await self._pacer.acquire((contract.con_id, contract.exchange, what))

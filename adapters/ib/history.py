"""Historical bars within IB's pacing rules.

Identical requests within ``historical_cache_ttl`` (15 s, IB's "no identical request" window)
are answered from a cache, concurrent identical ones share one request, and the rest pass a
limiter that keeps to 60 requests per 10 minutes and 6 per contract per 2 seconds.
"""

from __future__ import annotations

import asyncio

from adapters.ib import mapping
from adapters.ib.calls import IbCalls
from adapters.ib.pacing import HistoricalPacer, SingleFlight, TtlCache
from application.ports import Clock
from domain.contract import Contract
from domain.errors import BrokerTimeout
from domain.market_data import Bar, HistoricalQuery


class IbHistory:
    def __init__(self, calls: IbCalls, clock: Clock, pacer: HistoricalPacer | None = None) -> None:
        self._calls = calls
        self._clock = clock
        self._pacer = pacer or HistoricalPacer(clock)
        self.pacer = self._pacer  # shared with head timestamps, ticks and histograms
        self._recent: TtlCache[list[Bar]] = TtlCache(clock, calls.settings.historical_cache_ttl)
        self._flight = SingleFlight()
        self.requests_sent = 0

    async def bars(self, contract: Contract, query: HistoricalQuery) -> list[Bar]:
        key = (
            contract.con_id,
            contract.exchange,
            query.duration,
            query.bar_size,
            query.what_to_show,
            query.use_rth,
            query.end_date_time,
        )
        cached = self._recent.get(key)
        if cached is not None:
            return list(cached)
        return list(await self._flight.run(key, lambda: self._fetch(contract, query, key)))

    async def _fetch(
        self, contract: Contract, query: HistoricalQuery, key: tuple[object, ...]
    ) -> list[Bar]:
        self._calls.require()  # not connected: fail now, not after a pacing wait
        timeout = self._calls.settings.historical_timeout
        await self._pacer.acquire((contract.con_id, contract.exchange, query.what_to_show))
        ib_contract = mapping.to_ib_contract(contract)
        loop = asyncio.get_running_loop()
        started = loop.time()
        self.requests_sent += 1
        # ib_async cancels the request at IB when its own timeout fires and returns no bars;
        # ours (a little longer) is the backstop should the socket go silent.
        found = await self._calls.run(
            f"historical bars of {contract.symbol}",
            lambda ib: ib.reqHistoricalDataAsync(
                ib_contract,
                query.end_date_time,
                query.duration,
                query.bar_size,
                query.what_to_show,
                query.use_rth,
                formatDate=1,
                timeout=timeout,
            ),
            limit=timeout + 2,
        )
        if not found and loop.time() - started >= timeout - 0.05:
            raise BrokerTimeout(
                f"The IB Gateway sent no historical data for {contract.symbol} within {timeout:g} s"
            )
        bars = [mapping.bar(b, query.bar_size) for b in found]
        self._recent.put(key, bars)
        return bars

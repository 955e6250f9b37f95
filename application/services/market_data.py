"""Quotes and historical bars.

A quote is only ever answered when it carries a price. While the gateway has lost IB's servers
(1100) a snapshot is refused at once as ``MarketDataUnavailable`` naming IB's notice. While a
market data farm is broken (2103) a snapshot is still asked for, since we cannot tell which farm
serves the contract; if it comes back without a price, or times out, the refusal names the farm.
A quote with no price at all is refused too, never answered as a live quote with every price
null.
"""

from __future__ import annotations

import asyncio

import msgspec.structs

from application.ports import Broker, Clock
from application.services.contracts import ContractService
from application.services.market_lines import QuoteLines
from domain.connection import ConnectionStatus
from domain.contract import Contract, ContractQuery
from domain.errors import (
    BrokerTimeout,
    DomainError,
    InvalidRequest,
    LinesExhausted,
    MarketDataUnavailable,
    NotConnected,
)
from domain.market_data import HistoricalData, HistoricalQuery, Quote, TickersResult

MAX_TICKERS = 50


def aged(quote: Quote, now_seconds: float) -> Quote:
    """The quote with ``age_seconds``: how long ago its data arrived."""
    age = max(0.0, round(now_seconds - quote.timestamp.timestamp(), 3))
    return msgspec.structs.replace(quote, age_seconds=age)


OUTAGE_RETRY_AFTER = 5  # seconds; IB says when it is back (1101/1102, 2104), not how soon


class MarketDataService:
    def __init__(
        self,
        broker: Broker,
        contracts: ContractService,
        *,
        max_bars: int = 5000,
        lines: QuoteLines | None = None,
        clock: Clock | None = None,
        quote_timeout: float = 10.0,
    ) -> None:
        """With ``lines`` (and a ``clock``), snapshots are read from the live lines."""
        self._broker = broker
        self._contracts = contracts
        self._max_bars = max_bars
        self._lines = lines
        self._clock = clock
        self._quote_timeout = quote_timeout

    async def snapshot(self, query: ContractQuery) -> Quote:
        """A quote with at least one price, or ``MarketDataUnavailable`` saying why not."""
        await self._refuse_while_ib_unreachable()
        contract = await self._contracts.resolve(query)
        if self._lines is not None and self._clock is not None:
            quote = await self._from_line(self._lines, contract)
            if quote is not None:
                return aged(quote, self._clock.now().timestamp())
        return await self._requested(contract)

    async def _from_line(self, lines: QuoteLines, contract: Contract) -> Quote | None:
        """The line's live quote, waiting for its first one if the line is new or stale;
        None when no line is free (the caller asks IB for a one-off snapshot instead)."""
        try:
            line = await lines.lease(contract)
        except LinesExhausted:
            return None
        try:
            quote = line.current()
            if quote is None:
                quote = await line.wait(self._quote_timeout)
        finally:
            lines.release(line)
        if quote is None:
            outage = await self._outage(contract.symbol)
            if outage is not None:
                raise outage
            raise BrokerTimeout(
                f"The IB Gateway sent no market data for {contract.symbol} within "
                f"{self._quote_timeout:g} s"
            )
        if not isinstance(quote.contract_id, int):
            quote = msgspec.structs.replace(quote, contract_id=contract.con_id)
        return quote

    async def _requested(self, contract: Contract) -> Quote:
        """A one-off snapshot request to IB (``snapshot=True``)."""
        try:
            quote = await self._broker.snapshot(contract)
        except BrokerTimeout as exc:
            # a broken farm can leave IB silent until the time limit: say what IB said
            outage = await self._outage(contract.symbol)
            if outage is not None:
                raise outage from exc
            raise
        if not quote.has_price:
            raise await self._outage(contract.symbol) or MarketDataUnavailable(
                f"IB sent no price for {contract.symbol} (no last, bid, ask, open, high, low "
                "or close); nothing is answered rather than a quote of nulls"
            )
        if not isinstance(quote.contract_id, int):
            quote = msgspec.structs.replace(quote, contract_id=contract.con_id)
        return quote

    async def _refuse_while_ib_unreachable(self) -> None:
        status = await self._broker.connection_status()
        if status.connectivity_lost is not None:
            raise _unavailable(status, "market data")
        if self._lines is not None and not status.connected:
            # a line would wait out the time limit for data that cannot come; the broker's
            # own calls fail at once in this state, and so does this one
            where = f" at {status.host}:{status.port}" if status.host else ""
            raise NotConnected(f"Not connected to the IB Gateway{where} (state {status.state})")

    async def _outage(self, symbol: str) -> MarketDataUnavailable | None:
        """The error naming IB's notice when IB reports that market data cannot flow now."""
        status = await self._broker.connection_status()
        if status.connectivity_lost is None and not status.broken_market_data_farms:
            return None
        return _unavailable(status, f"market data for {symbol}")

    async def tickers(self, contract_ids: list[int]) -> TickersResult:
        """Snapshots of several contracts at once; one bad id is reported, not fatal."""
        ids = list(dict.fromkeys(contract_ids))
        if not ids:
            raise InvalidRequest("Give at least one contract id", field="contract_ids")
        if len(ids) > MAX_TICKERS:
            raise InvalidRequest(
                f"At most {MAX_TICKERS} contract ids per call; got {len(ids)}", field="contract_ids"
            )
        if any(i <= 0 for i in ids):
            raise InvalidRequest("contract ids must be positive integers", field="contract_ids")
        await self._refuse_while_ib_unreachable()
        results = await asyncio.gather(
            *(self.snapshot(ContractQuery(con_id=i)) for i in ids), return_exceptions=True
        )
        tickers: list[Quote] = []
        errors: dict[str, str] = {}
        for con_id, result in zip(ids, results, strict=True):
            if isinstance(result, Quote):
                tickers.append(result)
            elif isinstance(result, NotConnected):
                raise result
            elif isinstance(result, DomainError):
                errors[str(con_id)] = result.message
            elif isinstance(result, BaseException):
                raise result
        if not tickers:  # nothing quoted: an outage IB reports fails the call as a whole
            outage = await self._outage("these contracts")
            if outage is not None:
                raise outage
        return TickersResult(tickers=tickers, errors=errors)

    async def historical(self, query: HistoricalQuery) -> HistoricalData:
        contract = await self._contracts.resolve(ContractQuery(con_id=query.contract_id))
        bars = await self._broker.historical_bars(contract, query)
        if len(bars) > self._max_bars:
            return HistoricalData(
                symbol=contract.symbol,
                contract_id=contract.con_id,
                bars=bars[-self._max_bars :],
                truncated=True,
                message=(
                    f"{len(bars)} bars matched; the latest {self._max_bars} are returned. "
                    "Use a shorter duration or a larger bar_size for the rest"
                ),
            )
        return HistoricalData(symbol=contract.symbol, contract_id=contract.con_id, bars=bars)


def _unavailable(status: ConnectionStatus, what: str) -> MarketDataUnavailable:
    lost = status.connectivity_lost
    if lost is not None:
        return MarketDataUnavailable(
            f"No {what}: the IB Gateway has lost its connection to IB ({lost.describe()}); "
            "quotes resume once IB restores it (1101/1102)",
            ib_code=lost.code,
            retry_after=OUTAGE_RETRY_AFTER,
        )
    farms = status.broken_market_data_farms
    return MarketDataUnavailable(
        f"No {what}: the IB Gateway reports "
        + "; ".join(farm.describe() for farm in farms)
        + "; quotes resume once IB reports the farm OK (2104)",
        ib_code=farms[0].code,
        retry_after=OUTAGE_RETRY_AFTER,
    )

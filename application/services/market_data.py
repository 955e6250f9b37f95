"""Quotes and historical bars."""

from __future__ import annotations

import asyncio

import msgspec.structs

from application.ports import Broker
from application.services.contracts import ContractService
from domain.contract import ContractQuery
from domain.errors import DomainError, InvalidRequest, NotConnected
from domain.market_data import HistoricalData, HistoricalQuery, Quote, TickersResult

MAX_TICKERS = 50


class MarketDataService:
    def __init__(self, broker: Broker, contracts: ContractService, *, max_bars: int = 5000) -> None:
        self._broker = broker
        self._contracts = contracts
        self._max_bars = max_bars

    async def snapshot(self, query: ContractQuery) -> Quote:
        contract = await self._contracts.resolve(query)
        quote = await self._broker.snapshot(contract)
        if not isinstance(quote.contract_id, int):
            quote = msgspec.structs.replace(quote, contract_id=contract.con_id)
        return quote

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

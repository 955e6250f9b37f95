"""Contract details, option chains and option qualification, cached and shared.

Contract definitions rarely change, so answers are kept (by query and by conId) for
``contract_cache_ttl``; identical concurrent queries share one IB request.
"""

from __future__ import annotations

import asyncio
import itertools
import logging

import msgspec
import structlog
from msgspec import UNSET

from adapters.ib import mapping
from adapters.ib.calls import IbCalls
from adapters.ib.pacing import SingleFlight, TtlCache
from application.ports import Clock
from domain.contract import Contract, ContractQuery, describe_query
from domain.errors import AmbiguousContract, ContractNotFound, NotConnected
from domain.options import CandidateChain

log = structlog.get_logger("ibkr_mcp.ib.contracts")


class IbContracts:
    def __init__(self, calls: IbCalls, clock: Clock) -> None:
        self._calls = calls
        ttl = calls.settings.contract_cache_ttl
        self._by_query: TtlCache[list[Contract]] = TtlCache(clock, ttl)
        self._by_con_id: TtlCache[Contract] = TtlCache(clock, ttl, max_entries=20_000)
        self._chains: TtlCache[list[CandidateChain]] = TtlCache(clock, ttl)
        self._flight = SingleFlight()
        self._qualify_slots = asyncio.Semaphore(calls.settings.max_concurrent_qualifications)

    async def details(self, query: ContractQuery) -> list[Contract]:
        """Every contract matching ``query``; an empty list when IB knows none (error 200)."""
        if query.con_id and (known := self._by_con_id.get(query.con_id)) is not None:
            return [known]
        cached = self._by_query.get(query)
        if cached is not None:
            return list(cached)
        return list(await self._flight.run(("details", query), lambda: self._fetch(query)))

    async def _fetch(self, query: ContractQuery) -> list[Contract]:
        wanted = mapping.to_ib_contract(query)
        try:
            found = await self._calls.run(
                f"contract details for {describe_query(query)}",
                lambda ib: ib.reqContractDetailsAsync(wanted),
            )
        except ContractNotFound:
            log.debug("ib.contract_not_found", query=describe_query(query))
            return []
        contracts = list(
            {d.contract.conId: mapping.from_ib_details(d) for d in found if d.contract}.values()
        )
        if contracts:
            self._by_query.put(query, contracts)
            for contract in contracts:
                self._by_con_id.put(contract.con_id, contract)
        return contracts

    async def option_chains(self, symbol: str, sec_type: str, con_id: int) -> list[CandidateChain]:
        sec_type = sec_type or "STK"
        if not con_id:
            con_id = (await self._underlying(symbol, sec_type)).con_id
        key = (symbol, sec_type, con_id)
        cached = self._chains.get(key)
        if cached is not None:
            return list(cached)
        return list(await self._flight.run(("chains", key), lambda: self._fetch_chains(*key)))

    async def _fetch_chains(self, symbol: str, sec_type: str, con_id: int) -> list[CandidateChain]:
        found = await self._calls.run(
            f"option chains of {symbol}",
            lambda ib: ib.reqSecDefOptParamsAsync(symbol, "", sec_type, con_id),
        )
        chains = [mapping.candidate_chain(c) for c in found]
        chains.sort(key=lambda c: (c.exchange != "SMART", c.exchange, c.trading_class))
        if chains:
            self._chains.put((symbol, sec_type, con_id), chains)
        return chains

    async def _underlying(self, symbol: str, sec_type: str) -> Contract:
        """IB needs the underlying's conId for its chains: qualify it (prefer USD listings)."""
        query = ContractQuery(
            symbol=symbol, sec_type=sec_type, exchange="SMART" if sec_type == "STK" else ""
        )
        found = await self.details(query)
        if not found:
            raise ContractNotFound(f"No underlying {sec_type} contract for {symbol}")
        if len(found) > 1:
            found = [c for c in found if c.currency == "USD"] or found
        if len({c.con_id for c in found}) > 1:
            raise AmbiguousContract(
                f"{len(found)} underlyings match {symbol} {sec_type}; give underlying_con_id",
                candidates=[msgspec.to_builtins(c) for c in found],
            )
        return found[0]

    async def qualify_options(
        self,
        symbol: str,
        chain: CandidateChain,
        expirations: list[str],
        strikes: list[float],
        rights: list[str],
    ) -> list[Contract]:
        """The options of ``chain`` that exist among the combinations; missing ones are skipped."""
        multiplier = chain.multiplier if chain.multiplier is not UNSET else ""
        queries = [
            ContractQuery(
                symbol=symbol,
                sec_type="OPT",
                exchange=chain.exchange,
                last_trade_date_or_contract_month=expiry,
                strike=strike,
                right=right,
                trading_class=chain.trading_class,
                multiplier=str(multiplier),
            )
            for expiry, strike, right in itertools.product(expirations, strikes, rights)
        ]
        results = await asyncio.gather(*(self._qualify(q) for q in queries), return_exceptions=True)
        out: dict[int, Contract] = {}
        failures = [r for r in results if isinstance(r, BaseException)]
        if failures:
            raise next((f for f in failures if isinstance(f, NotConnected)), failures[0])
        for found in results:
            for contract in found:  # type: ignore[union-attr]
                out.setdefault(contract.con_id, contract)
        missing = sum(1 for r in results if not r)
        if missing:
            log.debug("ib.options_missing", symbol=symbol, missing=missing, asked=len(queries))
        return list(out.values())

    async def _qualify(self, query: ContractQuery) -> list[Contract]:
        async with self._qualify_slots:
            return await self.details(query)


class ExpectedMissFilter(logging.Filter):
    """Drops ib_async's ERROR log line for error 200 (no such contract).

    Qualifying a chain's cross product asks for combinations that may not exist; the adapter
    turns 200 into an empty answer (or ContractNotFound) itself, so the line is only noise.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Error 200,")

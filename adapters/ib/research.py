"""Reference data from IB: matching symbols, market rules and session hours of a contract.

Market rules and hours come from IB's contract details (``marketRuleIds`` per
``validExchanges``, ``tradingHours``, ``liquidHours``, ``timeZoneId``), which the plain contract
does not carry; they are fetched once per contract and kept (bounded, with the contract cache's
time to live). A rule's levels never change: they are kept by rule id.
"""

from __future__ import annotations

from ib_async import Contract as IbContract
from ib_async import ContractDescription, ContractDetails

from adapters.ib.calls import IbCalls
from adapters.ib.pacing import SingleFlight, TtlCache
from application.ports import Clock
from domain.contract import Contract
from domain.errors import BrokerTimeout, ContractNotFound
from domain.market_rules import MarketRule, PriceIncrement
from domain.symbols import MAX_MATCHES, SymbolMatch
from domain.trading_hours import IbSchedule

MAX_RULES = 512


class IbResearch:
    def __init__(self, calls: IbCalls, clock: Clock) -> None:
        self._calls = calls
        ttl = calls.settings.contract_cache_ttl
        self._details: TtlCache[ContractDetails] = TtlCache(clock, ttl, max_entries=4096)
        self._rules: TtlCache[list[PriceIncrement]] = TtlCache(clock, ttl, max_entries=MAX_RULES)
        self._flight = SingleFlight()

    async def search_symbols(self, pattern: str) -> list[SymbolMatch]:
        found = await self._calls.run(
            f"matching symbols for {pattern!r}", lambda ib: ib.reqMatchingSymbolsAsync(pattern)
        )
        if found is None:  # ib_async gives up after 4 s and answers None
            raise BrokerTimeout(f"IB did not answer the symbol search for {pattern!r}")
        return [_match(d) for d in found[:MAX_MATCHES] if d.contract is not None]

    async def market_rules(self, contract: Contract) -> list[MarketRule]:
        details = await self._contract_details(contract)
        exchanges = [e.strip() for e in details.validExchanges.split(",")]
        ids = [int(i) for i in details.marketRuleIds.split(",") if i.strip().isdigit()]
        by_rule: dict[int, list[str]] = {}
        for exchange, rule_id in zip(exchanges, ids, strict=False):
            by_rule.setdefault(rule_id, []).append(exchange)
        out = []
        for rule_id, on in by_rule.items():
            increments = await self._rule(rule_id)
            if increments:
                out.append(MarketRule(rule_id=rule_id, exchanges=on, increments=increments))
        return out

    async def trading_schedule(self, contract: Contract) -> IbSchedule:
        details = await self._contract_details(contract)
        return IbSchedule(
            time_zone=details.timeZoneId,
            trading_hours=details.tradingHours,
            liquid_hours=details.liquidHours,
        )

    async def _contract_details(self, contract: Contract) -> ContractDetails:
        key = (contract.con_id, contract.exchange)  # the details (hours, rules) of that venue
        cached = self._details.get(key)
        if cached is not None:
            return cached
        return await self._flight.run(("details", key), lambda: self._fetch(contract))

    async def _fetch(self, contract: Contract) -> ContractDetails:
        wanted = IbContract(conId=contract.con_id, exchange=contract.exchange)
        found = await self._calls.run(
            f"contract details of contract_id {contract.con_id}",
            lambda ib: ib.reqContractDetailsAsync(wanted),
        )
        if not found:
            raise ContractNotFound(f"IB knows no contract_id {contract.con_id}")
        self._details.put((contract.con_id, contract.exchange), found[0])
        return found[0]

    async def _rule(self, rule_id: int) -> list[PriceIncrement]:
        cached = self._rules.get(rule_id)
        if cached is not None:
            return cached
        return await self._flight.run(("rule", rule_id), lambda: self._fetch_rule(rule_id))

    async def _fetch_rule(self, rule_id: int) -> list[PriceIncrement]:
        found = await self._calls.run(
            f"market rule {rule_id}", lambda ib: ib.reqMarketRuleAsync(rule_id)
        )
        if found is None:  # ib_async gives up after 1 s and answers None
            raise BrokerTimeout(f"IB did not answer market rule {rule_id}")
        increments = [PriceIncrement(low_edge=p.lowEdge, increment=p.increment) for p in found]
        if increments:
            self._rules.put(rule_id, increments)
        return increments


def _match(description: ContractDescription) -> SymbolMatch:
    c = description.contract
    assert c is not None
    return SymbolMatch(
        con_id=c.conId,
        symbol=c.symbol,
        sec_type=c.secType,
        primary_exchange=c.primaryExchange,
        currency=c.currency,
        description=c.description,
        derivative_sec_types=list(description.derivativeSecTypes or []),
    )

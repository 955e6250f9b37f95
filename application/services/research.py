"""Reference data an agent researches before trading: symbols, price increments, hours."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from application.ports import Clock
from application.research_ports import ResearchBroker
from application.services.contracts import ContractService
from domain.contract import Contract, ContractQuery
from domain.errors import ContractNotFound, DomainError, InvalidRequest
from domain.market_rules import ContractMarketRules, check_price, rule_for
from domain.orders import OrderRequest
from domain.symbols import MAX_MATCHES, SymbolSearchResult
from domain.trading_hours import MAX_DAYS, TradingHours, trading_days

# The order prices IB holds to the contract's market rule.
PRICE_FIELDS = ("limit_price", "stop_price", "trigger_price")


class ResearchService:
    def __init__(self, contracts: ContractService, broker: ResearchBroker, clock: Clock) -> None:
        self._contracts = contracts
        self._broker = broker
        self._clock = clock

    async def search_symbols(self, pattern: str) -> SymbolSearchResult:
        """Instruments whose symbol or name starts with or contains ``pattern``."""
        text = pattern.strip()
        if not text:
            raise InvalidRequest("pattern must name part of a symbol or company", field="pattern")
        found = await self._broker.search_symbols(text)
        return SymbolSearchResult(pattern=text, matches=found[:MAX_MATCHES])

    async def market_rules(self, contract_id: int) -> ContractMarketRules:
        contract = await self._contract(contract_id)
        rules = await self._broker.market_rules(contract)
        if not rules:
            raise ContractNotFound(f"IB names no market rule for contract_id {contract_id}")
        return ContractMarketRules(
            contract_id=contract.con_id,
            symbol=contract.local_symbol or contract.symbol,
            sec_type=contract.sec_type,
            exchange=contract.exchange,
            rules=rules,
        )

    async def trading_hours(self, contract_id: int, days: int = MAX_DAYS) -> TradingHours:
        contract = await self._contract(contract_id)
        schedule = await self._broker.trading_schedule(contract)
        try:
            zone = ZoneInfo(schedule.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ContractNotFound(
                f"IB gives contract_id {contract_id} an unknown time zone {schedule.time_zone!r}"
            ) from exc
        try:
            listed, state = trading_days(schedule, zone, self._clock.now(), days)
        except ValueError as exc:
            raise ContractNotFound(
                f"IB's hours of contract_id {contract_id} are unreadable: {exc}"
            ) from exc
        return TradingHours(
            contract_id=contract.con_id,
            symbol=contract.local_symbol or contract.symbol,
            sec_type=contract.sec_type,
            time_zone=schedule.time_zone,
            now=state,
            days=listed,
        )

    async def _contract(self, contract_id: int) -> Contract:
        return await self._contracts.resolve(ContractQuery(con_id=contract_id))


class PriceRules:
    """Refuses an order price between two ticks of the contract's market rule (IB's error
    110) before the order is sent. When IB cannot say the rule, the order goes on: IB itself
    checks it again."""

    def __init__(self, broker: ResearchBroker) -> None:
        self._broker = broker

    async def check(self, order: OrderRequest, contract: Contract) -> None:
        prices = [(name, getattr(order, name)) for name in PRICE_FIELDS]
        prices = [(name, price) for name, price in prices if price is not None]
        if not prices:
            return
        try:
            rules = await self._broker.market_rules(contract)
        except DomainError:
            return
        rule = rule_for(rules, order.exchange or "", contract.exchange, contract.primary_exchange)
        if rule is None:
            return
        for name, price in prices:
            check_price(name, price, rule, contract)

"""Finding contracts and option chains: the decisions the contract's examples describe."""

from __future__ import annotations

import msgspec
import msgspec.structs

from application.ports import Broker
from domain.contract import (
    Contract,
    ContractDetailsResult,
    ContractQuery,
    conflicts_with,
    describe_query,
    distinguishing_fields,
    friendly_option_symbol,
)
from domain.errors import AmbiguousContract, ContractNotFound, InvalidRequest
from domain.options import CandidateChain, ChainFilters, OptionChainQuery, OptionChainResult


class ContractService:
    def __init__(self, broker: Broker, *, max_option_contracts: int = 100) -> None:
        self._broker = broker
        self._max_option_contracts = max_option_contracts

    async def details(self, query: ContractQuery) -> ContractDetailsResult:
        """One match -> ``qualified_contract``; several -> ``candidate_contracts``."""
        found = await self._find(query)
        if len(found) == 1:
            return ContractDetailsResult(qualified_contract=found[0])
        return ContractDetailsResult(candidate_contracts=found)

    async def resolve(self, query: ContractQuery) -> Contract:
        """Exactly one contract, or an error that says how to narrow the query."""
        found = await self._find(query)
        if len(found) == 1:
            return found[0]
        fields = distinguishing_fields(found)
        hint = "; ".join(f"{name} ({', '.join(values)})" for name, values in fields.items())
        raise AmbiguousContract(
            f"{len(found)} contracts match {describe_query(query)}; add "
            f"{hint or 'contract_id'} to pick one, or use contract_id",
            candidates=[msgspec.to_builtins(c) for c in found],
        )

    async def _find(self, query: ContractQuery) -> list[Contract]:
        found = await self._broker.contract_details(query)
        if not found:
            raise ContractNotFound(f"No contract matches {describe_query(query)}")
        if query.con_id:
            _check_agrees(query, found[0])
        return [_with_friendly_symbol(c) for c in found]

    async def options_chain(self, query: OptionChainQuery) -> OptionChainResult:
        """Option contracts when one chain is named and filtered, candidate chains otherwise."""
        chains = await self._broker.option_chains(
            query.underlying_symbol, query.underlying_sec_type, query.underlying_con_id
        )
        if not chains:
            raise ContractNotFound(f"No option chains found for {query.underlying_symbol}")
        filters = query.filters or ChainFilters()
        chains = _narrow_chains(chains, query.exchange, filters.trading_class)
        if len(chains) != 1 or not filters.narrows_contracts:
            if not filters.narrows_contracts:
                return OptionChainResult(candidate_chains=chains)
            return OptionChainResult(
                candidate_chains=chains,
                message=(
                    f"{len(chains)} chains match; name exchange and filters.trading_class "
                    "to pick one chain, then the filters select its contracts"
                ),
            )
        return await self._expand(query.underlying_symbol, chains[0], filters)

    async def _expand(
        self, symbol: str, chain: CandidateChain, filters: ChainFilters
    ) -> OptionChainResult:
        expirations = _pick(chain.expirations, filters.expirations, "filters.expirations")
        strikes = _pick_strikes(chain.strikes, filters.strikes)
        rights = filters.rights or ["C", "P"]
        total = len(expirations) * len(strikes) * len(rights)
        if total > self._max_option_contracts:
            narrowed = msgspec.structs.replace(chain, expirations=expirations, strikes=strikes)
            return OptionChainResult(
                candidate_chains=[narrowed],
                truncated=True,
                message=(
                    f"The filters select {total} option contracts, more than "
                    f"{self._max_option_contracts}; narrow expirations, strikes or rights"
                ),
            )
        contracts = await self._broker.qualify_options(symbol, chain, expirations, strikes, rights)
        contracts = sorted(
            (_with_friendly_symbol(c) for c in contracts),
            key=lambda c: (c.last_trade_date_or_contract_month, c.strike, c.right),
        )
        return OptionChainResult(options_chain=contracts)


def _narrow_chains(
    chains: list[CandidateChain], exchange: str, trading_classes: list[str]
) -> list[CandidateChain]:
    if exchange:
        wanted = exchange.upper()
        on_exchange = [c for c in chains if c.exchange.upper() == wanted]
        if not on_exchange:
            available = sorted({c.exchange for c in chains})
            raise ContractNotFound(
                f"No option chain on {exchange}; chains exist on: {', '.join(available)}"
            )
        chains = on_exchange
    if trading_classes:
        wanted_classes = {t.upper() for t in trading_classes}
        in_class = [c for c in chains if c.trading_class.upper() in wanted_classes]
        if not in_class:
            available = sorted({c.trading_class for c in chains})
            raise ContractNotFound(
                f"No option chain with trading class {', '.join(trading_classes)}; "
                f"available: {', '.join(available)}"
            )
        chains = in_class
    return chains


def _pick(available: list[str], wanted: list[str], field: str) -> list[str]:
    if not wanted:
        return list(available)
    picked = [value for value in available if value in set(wanted)]
    if not picked:
        raise InvalidRequest(
            f"None of {', '.join(wanted)} is in this chain; {field} available: "
            f"{', '.join(available[:24])}{' ...' if len(available) > 24 else ''}",
            field=field,
        )
    return picked


def _pick_strikes(available: list[float], wanted: list[float]) -> list[float]:
    if not wanted:
        return list(available)
    picked = [s for s in available if any(abs(s - w) < 1e-6 for w in wanted)]
    if picked:
        return picked
    asked = ", ".join(f"{w:g}" for w in wanted)
    if not available:
        raise InvalidRequest(
            f"None of the strikes {asked}: this chain lists no strikes", field="filters.strikes"
        )
    # The strikes around the ones asked for are the useful hint, not the chain's lowest.
    near = sorted(sorted(available, key=lambda s: min(abs(s - w) for w in wanted))[:12])
    raise InvalidRequest(
        f"None of the strikes {asked} is in this chain; nearest available strikes: "
        f"{', '.join(f'{s:g}' for s in near)} (the chain spans {min(available):g} to "
        f"{max(available):g})",
        field="filters.strikes",
    )


def _check_agrees(query: ContractQuery, contract: Contract) -> None:
    """A contract_id names the instrument; other identifying fields sent with it must agree,
    or the request is refused: which one the caller meant is not ours to guess."""
    differing = conflicts_with(query, contract)
    if not differing:
        return
    said = ", ".join(
        f"{name} {given!r} (it has {actual!r})" for name, (given, actual) in differing.items()
    )
    raise InvalidRequest(
        f"contract_id {query.con_id} is {contract.symbol} {contract.sec_type} "
        f"{contract.currency}, but the request also says {said}: send contract_id alone, "
        "or fields that agree with it",
        field=next(iter(differing)),
    )


def _with_friendly_symbol(contract: Contract) -> Contract:
    if (
        contract.sec_type in ("OPT", "FOP")
        and len(contract.last_trade_date_or_contract_month) >= 8
        and contract.right
        and not isinstance(contract.friendly_symbol, str)
    ):
        label = friendly_option_symbol(
            contract.symbol,
            contract.last_trade_date_or_contract_month,
            contract.strike,
            contract.right,
        )
        return msgspec.structs.replace(contract, friendly_symbol=label)
    return contract

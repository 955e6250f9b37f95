"""Operations that find instruments: contract details and option chains."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
import msgspec.structs
from msgspec import UNSET, Meta, UnsetType

from domain.contract import ContractDetailsResult, ContractQuery
from domain.errors import AmbiguousContract, ContractNotFound, InvalidRequest
from domain.options import ChainFilters, OptionChainQuery, OptionChainResult
from entrypoints.catalog.details import DETAILS
from entrypoints.catalog.fields import (
    MAX_ID,
    ContractId,
    Currency,
    Exchange,
    Expiry,
    Multiplier,
    PrimaryExchange,
    Right,
    SecType,
    Strike,
    Symbol,
    TradingClass,
    normalize,
    upper_words,
)
from entrypoints.catalog.operation import (
    BROKER_ERRORS,
    QUERY,
    Call,
    Extra,
    Mcp,
    Operation,
    Paging,
    Rest,
    ResultLimits,
)
from entrypoints.catalog.paging import cursor_extra, limit_extra


class ContractDetailsInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What is known of the instrument; every field left out is a wildcard."""

    symbol: Symbol = None
    sec_type: SecType = None
    exchange: Exchange = None
    primary_exchange: PrimaryExchange = None
    currency: Currency = None
    last_trade_date_or_contract_month: Expiry = None
    strike: Strike = None
    right: Right = None
    trading_class: TradingClass = None
    multiplier: Multiplier = None
    contract_id: ContractId = None

    def contract_query(self, options: ContractOptions | None = None) -> ContractQuery:
        given: dict[str, Any] = {
            name: value
            for name, value in msgspec.structs.asdict(self).items()
            if value not in (None, "") and name != "contract_id"
        }
        for name, value in (options.query_fields() if options else {}).items():
            if given.setdefault(name, value) != value:
                raise InvalidRequest(
                    f"{name} is given twice with different values ({given[name]!r} and "
                    f"options.{name} {value!r})",
                    field=f"options.{name}",
                )
        if self.contract_id is not None:
            # Fields sent with the id, options' included, must agree with it (the contract
            # service checks).
            return ContractQuery(con_id=self.contract_id, **given)
        return ContractQuery(**given)


class ContractOptions(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The original API's ``options`` of /ibkr/contract_details: IB's camelCase names, or
    their snake_case twins (the plain query parameters say the same)."""

    lastTradeDateOrContractMonth: str | None = None
    last_trade_date_or_contract_month: str | None = None
    strike: float | None = None
    right: str | None = None
    tradingClass: str | None = None
    trading_class: str | None = None

    def query_fields(self) -> dict[str, Any]:
        pairs = {
            "last_trade_date_or_contract_month": (
                self.lastTradeDateOrContractMonth,
                self.last_trade_date_or_contract_month,
            ),
            "trading_class": (self.tradingClass, self.trading_class),
        }
        fields: dict[str, Any] = {"strike": self.strike, "right": self.right}
        for name, (camel, snake) in pairs.items():
            if camel is not None and snake is not None and camel != snake:
                raise InvalidRequest(
                    f"options gives {name} twice with different values ({camel!r}, {snake!r})",
                    field=f"options.{name}",
                )
            fields[name] = camel if camel is not None else snake
        return {name: value for name, value in fields.items() if value is not None}


# REST only: the API contract's JSON form of the option fields, kept for its callers.
OPTIONS = Extra(
    "options",
    Annotated[
        ContractOptions | None,
        Meta(
            description="JSON object for options and futures, the original form of the "
            "parameters above: lastTradeDateOrContractMonth ('YYYYMMDD' or 'YYYYMM'), strike, "
            "right ('C' or 'P'), tradingClass (e.g. SPXW); snake_case names are accepted too",
            examples=[{"lastTradeDateOrContractMonth": "20260213", "strike": 120, "right": "C"}],
        ),
    ],
    query=True,
)


class OptionsChainInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    underlying_symbol: Annotated[
        str,
        Meta(
            min_length=1,
            max_length=32,
            description="Symbol of the underlying, e.g. CCJ",
            examples=["CCJ"],
        ),
    ]
    underlying_sec_type: Annotated[
        Literal["STK", "IND", "FUT"],
        Meta(
            description="The underlying's type (STK: a stock or an ETF)",
            examples=["STK"],
            extra=normalize(upper_words),
        ),
    ] = "STK"
    underlying_con_id: Annotated[
        int,
        Meta(
            ge=0,
            le=MAX_ID,
            description="The underlying's contract id; 0 looks it up from the symbol"
            f"{DETAILS}For example 1447060",
            examples=[1447060],
        ),
    ] = 0
    exchange: Annotated[
        str,
        Meta(
            max_length=32,
            description="The chain to use: SMART, CBOE, BOX, ...; empty lists every chain",
            examples=["SMART"],
        ),
    ] = ""
    filters: Annotated[
        ChainFilters | None,
        Meta(
            description="Which contracts to list: at least expirations or strikes (rights: "
            "calls or puts only); omit to see the chains",
            examples=[{"expirations": ["20260213"], "strikes": [120], "rights": ["C"]}],
        ),
    ] = None

    def query(self) -> OptionChainQuery:
        return OptionChainQuery(**msgspec.structs.asdict(self))


class ContractDetailsAnswer(ContractDetailsResult, frozen=True, kw_only=True):
    """One qualified contract, or the candidates when the query matches several (capped)."""

    truncated: bool | UnsetType = UNSET
    message: str | UnsetType = UNSET


def cap_candidates(result: ContractDetailsResult, limits: ResultLimits) -> ContractDetailsAnswer:
    fields = msgspec.structs.asdict(result)
    candidates = result.candidate_contracts
    limit = limits.max_option_contracts
    if isinstance(candidates, list) and len(candidates) > limit:
        fields["candidate_contracts"] = candidates[:limit]
        fields["truncated"] = True
        fields["message"] = (
            f"{len(candidates)} contracts match; the first {limit} are listed. Add currency, "
            "primary_exchange, expiry, strike or right to narrow the query"
        )
    return ContractDetailsAnswer(**fields)


# ~510 bytes a contract: 36 are ~18 KB; 100 (the largest page) the old capped answer.
CHAIN = Paging(
    key=lambda contract: contract.con_id, mcp_default=36, maximum=100, items="options_chain",
    what="option contracts", cap="max_option_contracts",
)  # fmt: skip


async def _details(query: ContractDetailsInput, call: Call) -> ContractDetailsResult:
    return await call.services.contracts.details(query.contract_query(call.extras.get("options")))


OPERATIONS = (
    Operation(
        name="get_contract_details",
        title="Contract details",
        description="""Look up an instrument: IB's description and con_id (other tools' contract_id). Several matches answer candidate_contracts: add a field that differs (often currency or primary_exchange).

Details: Omitted fields are wildcards. One match answers qualified_contract; a symbol listed in two countries, say,
matches several. Give sec_type to keep to one kind (STK for a stock); for one option give
sec_type OPT with expiry, strike and right; to browse options use get_options_chain.""",
        input=ContractDetailsInput,
        output=ContractDetailsResult,
        nature=QUERY,
        errors=(InvalidRequest, ContractNotFound, *BROKER_ERRORS),
        call=_details,
        rest=Rest("/ibkr/contract_details", tag="contracts"),
        mcp=Mcp(
            shape=cap_candidates,
            output=ContractDetailsAnswer,
            note="At most {max_option_contracts} candidates (truncated=true and a message say so).",
        ),
        extras=(OPTIONS,),
    ),
    Operation(
        name="get_options_chain",
        title="Option chains and contracts",
        description="""The options on an underlying, in two steps: without filters the chains (candidate_chains: exchange, trading class, expirations, strikes); with one chain and filters its contracts with ids, in pages.

Details: An option chain is the set of expirations and strikes one exchange lists for one
trading class. Without exchange, with several matching chains or without filters the answer
is candidate_chains. options_chain lists each contract's id, expiry, strike, right and a
friendly symbol; truncated, total and next_cursor say when more match.""",
        input=OptionsChainInput,
        output=OptionChainResult,
        nature=QUERY,
        errors=(InvalidRequest, ContractNotFound, AmbiguousContract, *BROKER_ERRORS),
        call=lambda q, c: c.services.contracts.options_chain(q.query()),
        rest=Rest("/ibkr/options_chain", tag="contracts"),
        extras=(limit_extra(CHAIN), cursor_extra()),
        paging=CHAIN,
        toolset="options",
    ),
)

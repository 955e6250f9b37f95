"""Contract tools: find a contract's details, explore an option chain."""

from collections.abc import Callable
from typing import Annotated, Any, Literal

import msgspec
import msgspec.structs
from pydantic import BaseModel, ConfigDict, Field

from application.container import Services
from domain.contract import ContractDetailsResult
from domain.options import OptionChainQuery, OptionChainResult
from entrypoints.mcp.params import (
    EXCHANGE_HELP,
    SEC_TYPE_HELP,
    ContractId,
    Currency,
    Expiry,
    Multiplier,
    PrimaryExchange,
    Right,
    RightName,
    SecTypeName,
    Strike,
    Symbol,
    TradingClass,
)
from entrypoints.mcp.queries import contract_query
from entrypoints.mcp.schemas import ContractDetailsAnswer
from entrypoints.mcp.toolkit import READ_BROKER, ibkr_tool, to_result


class ChainFiltersArg(BaseModel):
    """Which contracts of one option chain to list; give at least expirations or strikes."""

    model_config = ConfigDict(extra="forbid")

    trading_class: list[Annotated[str, Field(max_length=32)]] = Field(
        default_factory=list,
        description="Trading classes to keep, e.g. ['SPXW'] for weekly SPX options",
        max_length=20,
    )
    expirations: list[Annotated[str, Field(pattern=r"^\d{8}$")]] = Field(
        default_factory=list,
        description="Expiries to keep as YYYYMMDD, taken from a candidate chain's expirations",
        max_length=50,
    )
    strikes: list[Annotated[float, Field(gt=0)]] = Field(
        default_factory=list,
        description="Strikes to keep, taken from a candidate chain's strikes",
        max_length=200,
    )
    rights: list[RightName] = Field(
        default_factory=list, description="['C'] calls, ['P'] puts; omit for both"
    )


def contract_tools(services: Services, *, max_option_contracts: int) -> list[Callable[..., Any]]:
    contracts = services.contracts

    @ibkr_tool(
        annotations=READ_BROKER,
        output=ContractDetailsAnswer,
        title="Contract details",
        fill={"max": max_option_contracts},
    )
    async def get_contract_details(
        symbol: Symbol = None,
        sec_type: Annotated[
            SecTypeName, Field(description=SEC_TYPE_HELP + "; default STK")
        ] = "STK",
        exchange: Annotated[
            str | None,
            Field(
                description=EXCHANGE_HELP + ". Default SMART for STK and OPT; for other "
                "sec types give the exchange (e.g. CME for ES futures, CBOE for SPX)",
                max_length=32,
            ),
        ] = None,
        primary_exchange: PrimaryExchange = None,
        currency: Currency = None,
        last_trade_date_or_contract_month: Expiry = None,
        strike: Strike = None,
        right: Right = None,
        trading_class: TradingClass = None,
        multiplier: Multiplier = None,
        contract_id: ContractId = None,
    ) -> dict[str, Any]:
        """Find the IB contract(s) matching a description. Returns qualified_contract (with
        its con_id) when exactly one matches, or candidate_contracts when several do: add a
        field whose value differs among them (usually currency or primary_exchange) and ask
        again. At most {max} candidates are listed.

        Use it to turn a symbol into a con_id before quoting or trading. For one option give
        sec_type OPT with expiry, strike and right; to browse options use get_options_chain."""
        query = contract_query(
            contract_id,
            sec_type=sec_type,
            exchange=exchange,
            symbol=symbol,
            primary_exchange=primary_exchange,
            currency=currency,
            last_trade_date_or_contract_month=last_trade_date_or_contract_month,
            strike=strike,
            right=right,
            trading_class=trading_class,
            multiplier=multiplier,
        )
        return to_result(_cap_candidates(await contracts.details(query), max_option_contracts))

    @ibkr_tool(
        annotations=READ_BROKER,
        output=OptionChainResult,
        title="Option chain",
        fill={"max": max_option_contracts},
    )
    async def get_options_chain(
        underlying_symbol: Annotated[
            str, Field(min_length=1, max_length=32, description="Underlying symbol, e.g. AAPL")
        ],
        underlying_sec_type: Annotated[
            Literal["STK", "IND", "FUT"],
            Field(description="Security type of the underlying: STK stock/ETF, IND index, FUT"),
        ] = "STK",
        underlying_con_id: Annotated[
            int,
            Field(ge=0, description="con_id of the underlying (0 = look it up from the symbol)"),
        ] = 0,
        exchange: Annotated[
            str,
            Field(
                description="Chain to use: SMART, CBOE, BOX, ...; empty lists every chain",
                max_length=32,
            ),
        ] = "",
        filters: Annotated[
            ChainFiltersArg | None,
            Field(description="Which contracts of the chain to list; omit to see the chains"),
        ] = None,
    ) -> dict[str, Any]:
        """Explore the options on an underlying, in two steps.

        1. Without filters: candidate_chains lists each chain (exchange, trading class,
           expirations, strikes).
        2. With exchange and filters (expirations and/or strikes, rights): options_chain lists
           the option contracts with con_id, expiry, strike, right and a friendly symbol.

        At most {max} contracts per call: when the filters select more, the narrowed chain comes
        back with truncated=true and a message; narrow expirations, strikes or rights."""
        query = msgspec.convert(
            {
                "underlying_symbol": underlying_symbol,
                "underlying_sec_type": underlying_sec_type,
                "underlying_con_id": underlying_con_id,
                "exchange": exchange,
                "filters": filters.model_dump() if filters is not None else None,
            },
            OptionChainQuery,
        )
        return to_result(_cap_chain(await contracts.options_chain(query), max_option_contracts))

    return [get_contract_details, get_options_chain]


def _cap_candidates(result: ContractDetailsResult, limit: int) -> ContractDetailsAnswer:
    fields = msgspec.structs.asdict(result)
    candidates = result.candidate_contracts
    if isinstance(candidates, list) and len(candidates) > limit:
        fields["candidate_contracts"] = candidates[:limit]
        fields["truncated"] = True
        fields["message"] = (
            f"{len(candidates)} contracts match; the first {limit} are listed. Add currency, "
            "primary_exchange, expiry, strike or right to narrow the query"
        )
    return ContractDetailsAnswer(**fields)


def _cap_chain(result: OptionChainResult, limit: int) -> OptionChainResult:
    options = result.options_chain
    if not isinstance(options, list) or len(options) <= limit:
        return result
    return msgspec.structs.replace(
        result,
        options_chain=options[:limit],
        truncated=True,
        message=f"{len(options)} option contracts match; the first {limit} are listed. "
        "Narrow expirations, strikes or rights",
    )

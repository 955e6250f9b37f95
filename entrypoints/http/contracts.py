"""REST endpoints that find instruments: contract details and option chains."""

from __future__ import annotations

from typing import Annotated

import msgspec
import msgspec.structs
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from application.services.contracts import ContractService
from domain.contract import ContractDetailsResult
from domain.options import ChainFilters, OptionChainQuery, OptionChainResult
from entrypoints.http import params
from entrypoints.http.errors import responses
from entrypoints.http.params import MAX_ID


class ContractsController(Controller):
    tags = ["contracts"]

    @get(
        "/ibkr/contract_details",
        operation_id="get_contract_details",
        summary="Contract details",
        responses=responses(400, 404, 503, 504),
    )
    async def contract_details(
        self,
        contract_service: NamedDependency[ContractService],
        symbol: Annotated[str | None, QueryParameter(description="Ticker, e.g. AAPL")] = None,
        sec_type: Annotated[
            str | None,
            QueryParameter(description="Security type: STK (stock), OPT, FUT, CASH, IND, ..."),
        ] = None,
        exchange: Annotated[
            str | None, QueryParameter(description="SMART (IB's routing) or a venue")
        ] = None,
        primary_exchange: Annotated[
            str | None, QueryParameter(description="The listing exchange, e.g. NASDAQ, NYSE")
        ] = None,
        currency: Annotated[str | None, QueryParameter(description="e.g. USD")] = None,
        options: Annotated[
            str | None,
            QueryParameter(
                description="JSON object for options and futures: lastTradeDateOrContractMonth "
                "('YYYYMMDD' or 'YYYYMM'), strike, right ('C' or 'P'), tradingClass (e.g. SPXW); "
                "snake_case names are accepted too"
            ),
        ] = None,
        contract_id: Annotated[
            int | None,
            QueryParameter(ge=1, le=MAX_ID, description="IB contract id, instead of symbol"),
        ] = None,
    ) -> ContractDetailsResult:
        """Look up an instrument and get IB's full description of it, including its contract id.

        When the query names exactly one instrument the answer is ``qualified_contract``;
        when several match (a symbol listed in two countries, say) the answer is
        ``candidate_contracts``: add ``currency``, ``primary_exchange`` or, for options, the
        ``options`` fields to narrow it down. The ``con_id`` of the answer is what the other
        endpoints take as ``contract_id``.
        """
        query = params.contract_query(
            contract_id,
            symbol=symbol,
            sec_type=sec_type,
            exchange=exchange,
            primary_exchange=primary_exchange,
            currency=currency,
            **params.contract_options(options),
        )
        return await contract_service.details(query)

    @get(
        "/ibkr/options_chain",
        operation_id="get_options_chain",
        summary="Option chains and contracts",
        responses=responses(400, 404, 503, 504),
    )
    async def options_chain(
        self,
        contract_service: NamedDependency[ContractService],
        underlying_symbol: Annotated[
            str, QueryParameter(description="Symbol of the underlying, e.g. CCJ")
        ],
        underlying_sec_type: Annotated[
            str | None, QueryParameter(description="Security type of the underlying (default STK)")
        ] = None,
        underlying_con_id: Annotated[
            int | None,
            QueryParameter(
                ge=0, le=MAX_ID, description="Contract id of the underlying, e.g. 1447060"
            ),
        ] = None,
        exchange: Annotated[
            str | None,
            QueryParameter(description="Exchange of the chain (e.g. SMART, CBOE); see below"),
        ] = None,
        filters: Annotated[
            str | None,
            QueryParameter(
                description='JSON object, e.g. {"expirations": ["20260213"], "strikes": [120], '
                '"rights": ["C"], "trading_class": ["CCJ"]}; every list is optional'
            ),
        ] = None,
    ) -> OptionChainResult:
        """The options listed on an underlying: first the chains, then the contracts of one.

        An option chain is the set of expirations and strikes one exchange lists for one
        trading class. Without ``exchange`` (or with several matching chains) or without
        filters the answer is ``candidate_chains``, each with its expirations and strikes.
        With one chain and filters naming expirations, strikes or rights, the answer is
        ``options_chain``: the individual option contracts with their contract ids. Filters
        that select too many contracts answer the narrowed chain with ``truncated`` and a
        ``message`` saying how to narrow further.
        """
        chain_filters = params.decode_json_param(
            filters, ChainFilters, "filters", '{"expirations": ["20260213"], "rights": ["C"]}'
        )
        fields = params.present(
            underlying_symbol=underlying_symbol,
            underlying_sec_type=underlying_sec_type,
            underlying_con_id=underlying_con_id,
            exchange=exchange,
        )
        query = msgspec.convert(fields, OptionChainQuery)
        if chain_filters is not None:
            query = msgspec.structs.replace(query, filters=chain_filters)
        return await contract_service.options_chain(query)

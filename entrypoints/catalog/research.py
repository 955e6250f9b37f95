"""Reference data for research: symbol search, price increments and session hours."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from application.services.research import ResearchService
from domain.errors import ContractNotFound, InvalidRequest
from domain.market_rules import ContractMarketRules
from domain.symbols import SymbolSearchResult
from domain.trading_hours import MAX_DAYS, TradingHours
from entrypoints.catalog.fields import MAX_ID
from entrypoints.catalog.operation import BROKER_ERRORS, QUERY, Call, Operation, Rest, offered

ContractIdField = Annotated[
    int,
    Meta(ge=1, le=MAX_ID, description="IB contract id (conId), e.g. 265598 for AAPL stock",
         examples=[265598]),
]  # fmt: skip


class SymbolSearchInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    pattern: Annotated[
        str,
        Meta(
            min_length=1,
            max_length=64,
            description="Start of a symbol or part of a company name, any case, e.g. appl",
            examples=["appl"],
        ),
    ]


class ContractIdInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    contract_id: ContractIdField


class HoursInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    contract_id: ContractIdField
    days: Annotated[
        int, Meta(ge=1, le=MAX_DAYS, description="How many days from today, at most 7")
    ] = MAX_DAYS


def _research(call: Call) -> ResearchService:
    return offered(call.services.research, "symbol search, market rules and trading hours")


OPERATIONS = (
    Operation(
        name="search_symbols",
        title="Symbol search",
        description="""Instruments whose symbol or company name matches a partial text (IB's matching symbols).

At most 16 candidates, each with its contract id, symbol, security type, primary exchange,
currency, description and the derivative types listed on it (OPT, FUT, ...). Pass a con_id
to get_contract_details for the full description.""",
        input=SymbolSearchInput,
        output=SymbolSearchResult,
        nature=QUERY,
        errors=(InvalidRequest, *BROKER_ERRORS),
        call=lambda q, c: _research(c).search_symbols(q.pattern),
        rest=Rest("/ibkr/contracts/search", tag="contracts"),
    ),
    Operation(
        name="get_market_rules",
        title="Price increments",
        description="""The price increments (ticks) of a contract per price level, on each exchange (IB's market rules).

From each level's low_edge upwards, prices are multiples of its increment (US stocks: 0.0001
below 1, 0.01 from 1). An order price between two ticks is refused with the neighbours.""",
        input=ContractIdInput,
        output=ContractMarketRules,
        nature=QUERY,
        errors=(InvalidRequest, ContractNotFound, *BROKER_ERRORS),
        call=lambda q, c: _research(c).market_rules(q.contract_id),
        rest=Rest("/ibkr/contracts/{contract_id}/market_rule", tag="contracts"),
    ),
    Operation(
        name="get_trading_hours",
        title="Trading hours",
        description="""The contract's sessions for the next days (at most 7), in its exchange's time zone.

Each day lists its regular and extended sessions (open, close as ISO times) or closed=true;
now says which session is on. Sessions opening the evening before belong to the next day.""",
        input=HoursInput,
        output=TradingHours,
        nature=QUERY,
        errors=(InvalidRequest, ContractNotFound, *BROKER_ERRORS),
        call=lambda q, c: _research(c).trading_hours(q.contract_id, q.days),
        rest=Rest("/ibkr/contracts/{contract_id}/hours", tag="contracts"),
    ),
)

"""Market data operations: a quote, quotes of several contracts, historical bars."""

from __future__ import annotations

from typing import Annotated

import msgspec
import msgspec.structs
from msgspec import Meta

from application.services.market_data import MAX_TICKERS
from domain.contract import ContractQuery, with_symbol_defaults
from domain.errors import (
    AmbiguousContract,
    ContractNotFound,
    InvalidRequest,
    MarketDataUnavailable,
    RateLimited,
)
from domain.market_data import HistoricalData, HistoricalQuery, Quote, TickersResult
from entrypoints.catalog.details import DETAILS
from entrypoints.catalog.fields import (
    EXCHANGE_DETAILS,
    SEC_TYPE_DETAILS,
    SEC_TYPE_HELP,
    BarSize,
    ContractId,
    Currency,
    Expiry,
    Id,
    PrimaryExchange,
    Right,
    SecTypeName,
    Strike,
    Symbol,
    Text32,
    WhatToShow,
    normalize,
    upper_words,
)
from entrypoints.catalog.operation import (
    BROKER_ERRORS,
    QUERY,
    SUBSCRIPTION_ERRORS,
    Call,
    Operation,
    Paging,
    Rest,
)
from entrypoints.catalog.paging import cursor_extra, limit_extra
from entrypoints.catalog.progress import tracked

DURATION_PATTERN = r"^[1-9][0-9]{0,5} [SDWMY]$"
DURATION_FORMAT = (
    "'<integer> <unit>' with unit S (seconds), D (days), W (weeks), M (months) or Y (years), "
    "e.g. '3600 S', '1 D', '2 W', '6 M', '1 Y'"
)


class SnapshotInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    contract_id: ContractId = None
    symbol: Symbol = None
    sec_type: Annotated[
        SecTypeName | None,
        Meta(
            description=SEC_TYPE_HELP + "; STK when omitted" + SEC_TYPE_DETAILS,
            examples=["STK"],
            extra=normalize(upper_words),
        ),
    ] = None
    exchange: Annotated[
        Text32 | None,
        Meta(
            description="IB exchange: SMART when omitted for STK and OPT; give it for FUT "
            "(e.g. CME), IND (CBOE), CASH (IDEALPRO)" + EXCHANGE_DETAILS,
            examples=["SMART"],
        ),
    ] = None
    primary_exchange: PrimaryExchange = None
    currency: Currency = None
    last_trade_date_or_contract_month: Expiry = None
    strike: Strike = None
    right: Right = None

    def contract_query(self) -> ContractQuery:
        """By contract id, or by symbol with the usual defaults (a stock; SMART routing for
        stocks and options)."""
        given = {
            name: value
            for name, value in msgspec.structs.asdict(self).items()
            if value not in (None, "") and name != "contract_id"
        }
        if self.contract_id is not None:
            # Fields sent with the id must agree with it (the contract service checks).
            return ContractQuery(con_id=self.contract_id, **given)
        return ContractQuery(**with_symbol_defaults(given))


class TickersInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    contract_ids: Annotated[
        list[Id],
        Meta(
            min_length=1,
            max_length=MAX_TICKERS,
            description="IB contract ids (conIds) to quote",
            examples=[[265598, 8314]],
        ),
    ]


class HistoryInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    contract_id: Annotated[
        Id, Meta(description="IB contract id (conId) of the instrument", examples=[265598])
    ]
    duration: Annotated[
        str,
        Meta(
            pattern=DURATION_PATTERN,
            description="How far back: '<n> <unit>', unit S, D, W, M or Y, e.g. '1 D', '6 M'"
            f"{DETAILS}The units are seconds, days, weeks, months and years, e.g. '3600 S', "
            "'2 W'",
            examples=["1 D"],
            extra={"normalize": upper_words, "format": DURATION_FORMAT},
        ),
    ] = "1 D"
    bar_size: BarSize = "1 hour"
    what_to_show: WhatToShow = "TRADES"
    use_rth: Annotated[
        bool,
        Meta(description="Regular trading hours only; false adds pre and post market"),
    ] = True
    end_date_time: Annotated[
        str,
        Meta(
            max_length=48,
            description="End, 'YYYYMMDD HH:MM:SS' (optionally a time zone); now when empty"
            f"{DETAILS}The time zone such as US/Eastern follows the time",
            examples=["20251003 16:00:00 US/Eastern"],
        ),
    ] = ""

    def query(self) -> HistoricalQuery:
        return HistoricalQuery(**msgspec.structs.asdict(self))


# ~137 bytes a bar: 120 bars are ~16 KB; 500 (the largest page) the old capped answer.
BARS = Paging(
    key=lambda bar: bar.time, mcp_default=120, maximum=500, items="bars", from_end=True,
    what="bars", cap="max_bars",
)  # fmt: skip


async def _history(query: HistoryInput, call: Call) -> HistoricalData:
    work = call.services.market_data.historical(query.query())
    return await tracked(call, "historical bars", work)


OPERATIONS = (
    Operation(
        name="get_market_data_snapshot",
        title="Market data snapshot",
        description="""The latest price, bid and ask with sizes, and the day's figures of one instrument (null where none); market_data_type says live or delayed.

Details: Last price, bid/ask and their sizes, volume, the day's open, high and low, the
previous close and a timestamp; options add implied volatility and delta. A figure is null
when there was no trade yet today or the market is closed; the figures are delayed when the
account lacks a real-time subscription. Name the instrument by contract_id, or by symbol with
currency or primary_exchange when it trades in several places (and expiry, strike and right
for an option); a symbol that matches several instruments is refused with the candidates
listed.""",
        input=SnapshotInput,
        output=Quote,
        nature=QUERY,
        errors=(
            InvalidRequest,
            ContractNotFound,
            AmbiguousContract,
            MarketDataUnavailable,
            *SUBSCRIPTION_ERRORS,
            *BROKER_ERRORS,
        ),
        call=lambda q, c: c.services.market_data.snapshot(q.contract_query()),
        rest=Rest("/ibkr/market_data/snapshot", tag="market data"),
    ),
    Operation(
        name="get_tickers",
        title="Quotes for several contracts",
        description="""Quotes of several instruments in one call (get_market_data_snapshot's fields); an id that fails is listed in errors with the reason.

Details: One quote per contract id in tickers; an id fails (unknown contract, no data)
without failing the whole call. Use it to watch a list of holdings or candidates.""",
        input=TickersInput,
        output=TickersResult,
        nature=QUERY,
        errors=(InvalidRequest, *BROKER_ERRORS),
        call=lambda q, c: c.services.market_data.tickers(q.contract_ids),
        rest=Rest("/ibkr/market_data/tickers", tag="market data"),
    ),
    Operation(
        name="get_historical_data",
        title="Historical bars",
        description="""Price bars (OHLC, volume, VWAP) of one instrument, oldest first, in pages. IB paces historical requests (60 per 10 minutes).

Details: duration says how far back from end_date_time, bar_size how long each bar is. Each
bar has its time, open, high, low, close, volume, trade count and VWAP; the time is ISO 8601
(a date alone for daily and longer bars). Long answers come in pages, latest bars first
(next_cursor).""",
        input=HistoryInput,
        output=HistoricalData,
        nature=QUERY,
        errors=(
            InvalidRequest,
            ContractNotFound,
            RateLimited,
            MarketDataUnavailable,
            *SUBSCRIPTION_ERRORS,
            *BROKER_ERRORS,
        ),
        call=_history,
        rest=Rest("/ibkr/market_data/historical", tag="market data"),
        extras=(limit_extra(BARS), cursor_extra()),
        paging=BARS,
        reports_progress=True,
        toolset="history",
    ),
)

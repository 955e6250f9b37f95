"""Market data tools: snapshot quotes, several tickers at once, historical bars."""

from collections.abc import Callable
from typing import Annotated, Any

import msgspec
import msgspec.structs
from pydantic import Field

from application.container import Services
from application.services.market_data import MAX_TICKERS
from domain.market_data import HistoricalData, HistoricalQuery, Quote, TickersResult
from entrypoints.mcp.params import (
    BarSizeName,
    ContractId,
    Currency,
    Exchange,
    Expiry,
    PrimaryExchange,
    Right,
    SecType,
    Strike,
    Symbol,
    WhatToShowName,
)
from entrypoints.mcp.queries import contract_query
from entrypoints.mcp.toolkit import READ_BROKER, ibkr_tool, to_result

DURATION_PATTERN = r"^[1-9]\d{0,5} [SDWMY]$"


def market_data_tools(services: Services, *, max_bars: int) -> list[Callable[..., Any]]:
    market = services.market_data

    @ibkr_tool(annotations=READ_BROKER, output=Quote, title="Quote snapshot")
    async def get_market_data_snapshot(
        contract_id: ContractId = None,
        symbol: Symbol = None,
        sec_type: SecType = None,
        exchange: Exchange = None,
        primary_exchange: PrimaryExchange = None,
        currency: Currency = None,
        last_trade_date_or_contract_month: Expiry = None,
        strike: Strike = None,
        right: Right = None,
    ) -> dict[str, Any]:
        """A current quote for one contract: last price, bid/ask with sizes, volume, the day's
        open/high/low and previous close, a timestamp, and market_data_type (live, or delayed
        when the account lacks a live subscription); options add implied volatility and delta.
        Null fields mean IB sent no value (e.g. no trade yet, market closed).

        Name the contract by contract_id, or by symbol (sec_type defaults to STK; exchange to
        SMART for stocks and options, give it for others). An ambiguous symbol is refused with
        the candidates listed."""
        query = contract_query(
            contract_id,
            symbol=symbol,
            sec_type=sec_type,
            exchange=exchange,
            primary_exchange=primary_exchange,
            currency=currency,
            last_trade_date_or_contract_month=last_trade_date_or_contract_month,
            strike=strike,
            right=right,
        )
        return to_result(await market.snapshot(query))

    @ibkr_tool(annotations=READ_BROKER, output=TickersResult, title="Quotes for several contracts")
    async def get_tickers(
        contract_ids: Annotated[
            list[Annotated[int, Field(gt=0)]],
            Field(
                min_length=1,
                max_length=MAX_TICKERS,
                description=f"IB contract ids (conIds) to quote, 1 to {MAX_TICKERS}",
            ),
        ],
    ) -> dict[str, Any]:
        """Quote snapshots of several contracts at once (same fields as
        get_market_data_snapshot). A contract that fails is listed under errors with the
        reason instead of failing the whole call.

        Use it to watch a list of holdings or candidates in one call."""
        return to_result(await market.tickers(contract_ids))

    @ibkr_tool(
        annotations=READ_BROKER,
        output=HistoricalData,
        title="Historical bars",
        fill={"max_bars": max_bars},
    )
    async def get_historical_data(
        contract_id: Annotated[
            int, Field(gt=0, description="IB contract id (conId) of the instrument")
        ],
        duration: Annotated[
            str,
            Field(
                pattern=DURATION_PATTERN,
                description="How far back from the end: '<integer> <unit>' with unit S "
                "(seconds), D (days), W (weeks), M (months) or Y (years), e.g. '3600 S', "
                "'1 D', '2 W', '6 M', '1 Y'",
            ),
        ] = "1 D",
        bar_size: Annotated[
            BarSizeName,
            Field(description="Length of one bar, e.g. '1 min', '5 mins', '1 hour', '1 day'"),
        ] = "1 hour",
        what_to_show: Annotated[
            WhatToShowName,
            Field(
                description="Which prices the bars hold: TRADES (stocks, futures), MIDPOINT "
                "or BID_ASK (forex, options), BID, ASK, ADJUSTED_LAST (split/dividend "
                "adjusted), HISTORICAL_VOLATILITY, OPTION_IMPLIED_VOLATILITY"
            ),
        ] = "TRADES",
        use_rth: Annotated[
            bool,
            Field(description="true: regular trading hours only; false: include pre/post market"),
        ] = True,
        end_date_time: Annotated[
            str,
            Field(
                description="End of the period as 'YYYYMMDD HH:MM:SS' (optionally with a time "
                "zone such as 'US/Eastern'); empty means now",
                max_length=48,
            ),
        ] = "",
    ) -> dict[str, Any]:
        """Historical OHLCV bars (time, open, high, low, close, volume, trade count, VWAP) for
        a contract, oldest first.

        At most the latest {max_bars} bars are returned (truncated=true and a message say so);
        pick duration and bar_size so that duration / bar_size stays below that, e.g. '1 D' of
        '5 mins' = 78 bars in regular hours. IB paces historical requests (60 per 10 minutes)."""
        query = msgspec.convert(
            {
                "contract_id": contract_id,
                "duration": duration,
                "bar_size": bar_size,
                "what_to_show": what_to_show,
                "use_rth": use_rth,
                "end_date_time": end_date_time,
            },
            HistoricalQuery,
        )
        return to_result(_cap_bars(await market.historical(query), max_bars))

    return [get_market_data_snapshot, get_tickers, get_historical_data]


def _cap_bars(data: HistoricalData, max_bars: int) -> HistoricalData:
    if len(data.bars) <= max_bars:
        return data
    total = len(data.bars)
    message = (
        f"{total} bars matched; the latest {max_bars} are returned. Use a shorter duration or "
        "a larger bar_size to see the rest"
    )
    return msgspec.structs.replace(
        data, bars=data.bars[-max_bars:], truncated=True, message=message
    )

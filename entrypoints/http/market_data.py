"""REST endpoints for prices: a snapshot, a batch of snapshots, historical bars."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from application.services.market_data import MAX_TICKERS, MarketDataService
from domain.contract import with_symbol_defaults
from domain.market_data import (
    BAR_SIZES,
    WHAT_TO_SHOW,
    HistoricalData,
    HistoricalQuery,
    Quote,
    TickersResult,
)
from entrypoints.http import params
from entrypoints.http.errors import responses
from entrypoints.http.params import MAX_ID

ContractId = Annotated[
    int | None,
    QueryParameter(ge=1, le=MAX_ID, description="IB contract id (conId), e.g. 265598 for AAPL"),
]


class MarketDataController(Controller):
    path = "/ibkr/market_data"
    tags = ["market data"]

    @get(
        "/snapshot",
        operation_id="get_market_data_snapshot",
        summary="Market data snapshot",
        responses=responses(400, 404, 409, 503, 504),
    )
    async def snapshot(
        self,
        market_data_service: NamedDependency[MarketDataService],
        contract_id: ContractId = None,
        symbol: Annotated[str | None, QueryParameter(description="Ticker, e.g. AAPL")] = None,
        sec_type: Annotated[
            str | None, QueryParameter(description="STK (default), OPT, FUT, CASH, IND, ...")
        ] = None,
        exchange: Annotated[
            str | None,
            QueryParameter(
                description="SMART (default for STK and OPT, IB's routing) or a venue; give it "
                "for FUT (e.g. CME), IND (e.g. CBOE) and CASH (IDEALPRO)"
            ),
        ] = None,
        currency: Annotated[str | None, QueryParameter(description="e.g. USD")] = None,
    ) -> Quote:
        """The latest price, bid/ask and day figures of one instrument.

        Name it by ``contract_id``, or by ``symbol`` (with ``sec_type``, ``exchange`` and
        ``currency`` when the symbol trades in several places; a symbol that matches several
        instruments answers 409 with the candidates). Fields the market has not produced
        (no trade yet today) are null. ``market_data_type`` says whether the figures are
        live or delayed (delayed when the account lacks a real-time subscription).
        """
        query = params.contract_query(
            contract_id,
            with_symbol_defaults,
            symbol=symbol,
            sec_type=sec_type,
            exchange=exchange,
            currency=currency,
        )
        return await market_data_service.snapshot(query)

    @get(
        "/tickers",
        operation_id="get_tickers",
        summary="Snapshots of several contracts",
        responses=responses(400, 503, 504),
    )
    async def tickers(
        self,
        market_data_service: NamedDependency[MarketDataService],
        contract_ids: Annotated[
            str,
            QueryParameter(
                description=f"Comma-separated contract ids, at most {MAX_TICKERS}, e.g. 265598,8314"
            ),
        ],
    ) -> TickersResult:
        """Snapshots of several instruments in one call.

        One quote per contract id in ``tickers``; an id that fails (unknown contract, no
        data) is reported in ``errors`` with the reason instead of failing the whole call.
        """
        return await market_data_service.tickers(params.contract_ids(contract_ids))

    @get(
        "/historical",
        operation_id="get_historical_data",
        summary="Historical bars",
        responses=responses(400, 404, 429, 503, 504),
    )
    async def historical(
        self,
        market_data_service: NamedDependency[MarketDataService],
        contract_id: Annotated[
            int, QueryParameter(ge=1, le=MAX_ID, description="IB contract id (conId)")
        ],
        duration: Annotated[
            str | None,
            QueryParameter(
                description="How far back: an integer and a unit S, D, W, M or Y, e.g. '1 D' "
                "(default), '2 W', '3600 S'"
            ),
        ] = None,
        bar_size: Annotated[
            str | None,
            QueryParameter(description=f"One of: {', '.join(BAR_SIZES)} (default 1 hour)"),
        ] = None,
        what_to_show: Annotated[
            str | None,
            QueryParameter(description=f"One of: {', '.join(WHAT_TO_SHOW)} (default TRADES)"),
        ] = None,
        use_rth: Annotated[
            bool | None,
            QueryParameter(description="Regular trading hours only (default true)"),
        ] = None,
        end_date_time: Annotated[
            str | None,
            QueryParameter(
                description="End of the period as 'YYYYMMDD HH:MM:SS' (optionally with a time "
                "zone such as US/Eastern); now when omitted"
            ),
        ] = None,
    ) -> HistoricalData:
        """Price bars (open, high, low, close, volume) of one instrument over a past period.

        ``duration`` says how far back, ``bar_size`` how long each bar is. ``time`` of each
        bar is ISO 8601 (a date alone for daily and longer bars). Very long requests are cut
        to the latest bars and say so in ``truncated`` and ``message``.
        """
        fields = params.present(
            contract_id=contract_id,
            duration=duration,
            bar_size=bar_size,
            what_to_show=what_to_show,
            use_rth=use_rth,
            end_date_time=end_date_time,
        )
        return await market_data_service.historical(msgspec.convert(fields, HistoricalQuery))

"""Research history beyond bars: head timestamp, historical ticks, the volume histogram and
the historical trading schedule."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from application.services.history_extras import HistoryExtrasService
from domain.errors import (
    ContractNotFound,
    InvalidRequest,
    MarketDataUnavailable,
    NotSupported,
    RateLimited,
)
from domain.history_extras import (
    DEFAULT_TICKS,
    HEAD_WHAT_TO_SHOW,
    MAX_TICKS,
    TICK_TYPES,
    HeadTimestamp,
    Histogram,
    HistoricalTicks,
    TicksQuery,
    parse_moment,
)
from domain.trading_schedule import DEFAULT_SCHEDULE_DAYS, MAX_SCHEDULE_DAYS, TradingSchedule
from entrypoints.catalog.fields import Id, normalize, upper_words
from entrypoints.catalog.operation import (
    BROKER_ERRORS,
    QUERY,
    SUBSCRIPTION_ERRORS,
    Call,
    Operation,
    Rest,
)
from entrypoints.catalog.progress import tracked

HeadWhat = Literal[HEAD_WHAT_TO_SHOW]  # type: ignore[valid-type]
TickWhat = Literal[TICK_TYPES]  # type: ignore[valid-type]
ERRORS = (
    InvalidRequest,
    ContractNotFound,
    MarketDataUnavailable,
    RateLimited,
    *SUBSCRIPTION_ERRORS,
    *BROKER_ERRORS,
)

ContractIdField = Annotated[
    Id, Meta(description="IB contract id (conId) of the instrument", examples=[265598])
]
UseRth = Annotated[
    bool, Meta(description="true: regular trading hours only; false: include pre and post market")
]
Moment = Annotated[
    str,
    Meta(
        max_length=40,
        description="ISO 8601 date-time (UTC without a zone)",
        examples=["2025-10-03T14:30:00Z"],
    ),
]


def _service(call: Call) -> HistoryExtrasService:
    history = call.services.history
    if history is None:
        raise NotSupported("Research history is not offered by this service")
    return history


class HeadTimestampInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    contract_id: ContractIdField
    what_to_show: Annotated[
        HeadWhat,
        Meta(
            description="Which data: TRADES, MIDPOINT, BID, ASK, BID_ASK or ADJUSTED_LAST",
            examples=["TRADES"],
            extra=normalize(upper_words),
        ),
    ] = "TRADES"
    use_rth: UseRth = True


class TicksInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    contract_id: ContractIdField
    what_to_show: Annotated[
        TickWhat,
        Meta(
            description="TRADES (time and sales), BID_ASK (quotes) or MIDPOINT",
            examples=["TRADES"],
            extra=normalize(upper_words),
        ),
    ] = "TRADES"
    start: Annotated[
        Moment | None,
        Meta(description="Read forward from here; next_start continues"),
    ] = None  # fmt: skip
    end: Annotated[
        Moment | None,
        Meta(description="Read backward from here (now when no start); next_end continues"),
    ] = None  # fmt: skip
    count: Annotated[
        int,
        Meta(ge=1, le=MAX_TICKS, description=f"How many ticks, 1 to {MAX_TICKS} (IB's limit)"),
    ] = DEFAULT_TICKS
    use_rth: UseRth = True

    def query(self) -> TicksQuery:
        return TicksQuery(
            contract_id=self.contract_id,
            what_to_show=self.what_to_show,
            start=parse_moment(self.start, "start") if self.start else None,
            end=parse_moment(self.end, "end") if self.end else None,
            count=self.count,
            use_rth=self.use_rth,
        )


class HistogramInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    contract_id: ContractIdField
    period: Annotated[
        str,
        Meta(
            max_length=16,
            description="Back from now: '<n> days|weeks|months|years'",
            examples=["1 week"],
        ),
    ] = "1 week"
    use_rth: UseRth = True


class ScheduleInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    contract_id: ContractIdField
    days: Annotated[
        int,
        Meta(ge=1, le=MAX_SCHEDULE_DAYS,
             description=f"How many trading days back, 1 to {MAX_SCHEDULE_DAYS}"),
    ] = DEFAULT_SCHEDULE_DAYS  # fmt: skip
    end: Annotated[
        Moment | None, Meta(description="The last day is the one of this instant (default now)")
    ] = None
    use_rth: Annotated[
        bool, Meta(description="true: regular sessions; false: with pre and post market")
    ] = True

    def moment(self) -> datetime | None:
        return parse_moment(self.end, "end") if self.end else None


OPERATIONS = (
    Operation(
        name="get_head_timestamp",
        title="Earliest available data",
        description="""The earliest instant IB has historical data of one instrument for (ISO 8601): nothing exists before it.""",
        input=HeadTimestampInput,
        output=HeadTimestamp,
        nature=QUERY,
        errors=ERRORS,
        call=lambda q, c: _service(c).head_timestamp(q.contract_id, q.what_to_show, q.use_rth),
        rest=Rest("/ibkr/market_data/head_timestamp", tag="market data"),
        toolset="history",
    ),
    Operation(
        name="get_historical_ticks",
        title="Historical ticks",
        description="""Historical trades, quotes or midpoints of one instrument, oldest first.

At most 1000 (IB's limit), one trading session per answer. IB paces historical requests
(60 per 10 minutes).""",
        input=TicksInput,
        output=HistoricalTicks,
        nature=QUERY,
        errors=ERRORS,
        call=lambda q, c: tracked(c, "historical ticks", _service(c).historical_ticks(q.query())),
        reports_progress=True,
        rest=Rest("/ibkr/market_data/historical_ticks", tag="market data"),
        toolset="history",
    ),
    Operation(
        name="get_histogram",
        title="Volume by price",
        description="""Volume traded at each price of one instrument over a recent period, lowest price first.""",
        input=HistogramInput,
        output=Histogram,
        nature=QUERY,
        errors=ERRORS,
        call=lambda q, c: _service(c).histogram(q.contract_id, q.period, q.use_rth),
        rest=Rest("/ibkr/market_data/histogram", tag="market data"),
        toolset="history",
    ),
    Operation(
        name="get_trading_schedule",
        title="Trading schedule",
        description="""Past sessions of one instrument (IB's historical schedule), oldest first.

One session per trading day up to end, holidays absent, half days closing early; times in
the exchange's time zone, ref_date the trading day a session belongs to.""",
        input=ScheduleInput,
        output=TradingSchedule,
        nature=QUERY,
        errors=ERRORS,
        call=lambda q, c: _service(c).trading_schedule(
            q.contract_id, q.days, q.moment(), q.use_rth
        ),
        rest=Rest("/ibkr/contracts/{contract_id}/schedule", tag="contracts"),
        toolset="reference",
    ),
)

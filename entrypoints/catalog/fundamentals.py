"""Company fundamentals (IB's reports, as structured fields) and corporate events (WSH)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from application.services.fundamentals import FundamentalsService
from domain.errors import ContractNotFound, DataNotFound, InvalidRequest
from domain.fundamentals import (
    DEFAULT_EVENTS,
    DEFAULT_LIMIT,
    MAX_EVENTS,
    MAX_LIMIT,
    REPORT_TYPES,
    CorporateEvents,
    Fundamentals,
)
from entrypoints.catalog.fields import Id, normalize
from entrypoints.catalog.operation import BROKER_ERRORS, QUERY, Call, Operation, Rest, offered
from entrypoints.catalog.progress import tracked

ReportTypeName = Literal[REPORT_TYPES]  # type: ignore[valid-type]
_CANONICAL = {name.lower(): name for name in REPORT_TYPES}
ContractIdField = Annotated[
    Id, Meta(description="IB contract id (conId) of the stock", examples=[265598])
]
Day = Annotated[str, Meta(max_length=10, description="ISO date", examples=["2025-10-03"])]


def _report_type(value: str) -> str:
    return _CANONICAL.get(value.strip().lower(), value)


class FundamentalsInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    contract_id: ContractIdField
    report_type: Annotated[
        ReportTypeName,
        Meta(
            description="ReportSnapshot (profile, ratios, forecasts), ReportsFinSummary (EPS, "
            "revenue, dividends by period), ReportsFinStatements, ReportsOwnership, RESC "
            "(analyst estimates), CalendarReport",
            examples=["ReportSnapshot"],
            extra=normalize(_report_type),
        ),
    ] = "ReportSnapshot"
    limit: Annotated[
        int, Meta(ge=1, le=MAX_LIMIT, description="Entries (periods) per list, 1 to 200")
    ] = DEFAULT_LIMIT


class EventsInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    contract_id: ContractIdField
    start: Annotated[Day | None, Meta(description="From this day (ISO date)")] = None
    end: Annotated[Day | None, Meta(description="Up to this day (ISO date)")] = None
    limit: Annotated[
        int, Meta(ge=1, le=MAX_EVENTS, description=f"How many events, 1 to {MAX_EVENTS}")
    ] = DEFAULT_EVENTS

    def days(self) -> tuple[date | None, date | None]:
        return _day(self.start, "start"), _day(self.end, "end")


def _day(value: str | None, field: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidRequest(
            f"{field} must be an ISO date such as 2025-10-03", field=field
        ) from None


def _service(call: Call) -> FundamentalsService:
    return offered(call.services.fundamentals, "fundamentals and corporate events")


async def _events(q: EventsInput, call: Call) -> CorporateEvents:
    start, end = q.days()
    return await _service(call).corporate_events(q.contract_id, start, end, q.limit)


OPERATIONS = (
    Operation(
        name="get_fundamentals",
        title="Company fundamentals",
        description="""One of IB's fundamentals reports of a stock, as fields (never raw XML).

ReportSnapshot: company, sector, shares, market cap, ratios (pe_ratio, eps_ttm, ...) and
forecasts; ReportsFinSummary: EPS, revenue, dividend per share by period; ReportsFinStatements:
income, balance sheet, cash flow line items by period; ReportsOwnership: largest holders;
RESC: analyst estimates and actuals; CalendarReport: earnings dates. Lists hold at most
limit entries (truncated says more exist). ETFs and derivatives have none (404).""",
        input=FundamentalsInput,
        output=Fundamentals,
        nature=QUERY,
        errors=(InvalidRequest, ContractNotFound, DataNotFound, *BROKER_ERRORS),
        call=lambda q, c: tracked(
            c, "fundamentals", _service(c).fundamentals(q.contract_id, q.report_type, q.limit)
        ),
        reports_progress=True,
        rest=Rest("/ibkr/contracts/{contract_id}/fundamentals", tag="fundamentals"),
    ),
    Operation(
        name="get_corporate_events",
        title="Corporate events",
        description="""Wall Street Horizon corporate events of a stock, oldest first: earnings dates (wshe_ed), dividends (wshe_div) and others, each with its details.""",
        input=EventsInput,
        output=CorporateEvents,
        nature=QUERY,
        errors=(InvalidRequest, ContractNotFound, DataNotFound, *BROKER_ERRORS),
        call=_events,
        rest=Rest("/ibkr/contracts/{contract_id}/events", tag="fundamentals"),
    ),
)

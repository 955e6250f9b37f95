"""Company fundamentals, as structured fields read from IB's reports, and corporate events.

IB sends each report type as XML in its own schema; the IB adapter reads the fields below
out of it (never passing XML on). Every list is bounded: the reader keeps at most
``MAX_ENTRIES`` of each, and a caller's ``limit`` cuts each list further.
"""

from __future__ import annotations

from typing import Any

import msgspec

REPORT_TYPES = (
    "ReportSnapshot",  # company profile, key ratios, consensus forecasts
    "ReportsFinSummary",  # EPS, revenue and dividend per share by period; dividends
    "ReportsFinStatements",  # income, balance sheet and cash flow statements by period
    "ReportsOwnership",  # largest holders
    "RESC",  # analyst estimates (consensus) and actuals
    "CalendarReport",  # earnings releases and other company events
)
DEFAULT_LIMIT = 8
MAX_LIMIT = 200
MAX_ENTRIES = 400  # per list, whatever IB sends
MAX_LINE_ITEMS = 80  # per statement
MAX_TEXT = 1000  # characters of a business summary
DEFAULT_EVENTS = 20
MAX_EVENTS = 100  # WSH's own cap on one request


class CompanyProfile(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    name: str | None = None
    ticker: str | None = None
    sector: str | None = None
    industry: str | None = None
    employees: int | None = None
    shares_outstanding: float | None = None
    float_shares: float | None = None
    reporting_currency: str | None = None
    summary: str | None = None


class SummaryRow(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One period of IB's financial summary; period '3M' (quarter) or '12M'; report_type
    A (annual), R (reported quarter), P (preliminary) or TTM (trailing twelve months)."""

    as_of: str
    period: str
    report_type: str
    eps: float | None = None
    revenue: float | None = None
    dividend_per_share: float | None = None


class Dividend(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    amount: float
    ex_date: str | None = None
    pay_date: str | None = None
    type: str | None = None


class StatementPeriod(msgspec.Struct, frozen=True, kw_only=True):
    """One statement of one fiscal period; items are line name -> value (millions, per share
    for EPS) in the reporting currency."""

    statement: str  # income, balance_sheet, cash_flow
    period_type: str  # annual, interim
    end_date: str
    fiscal_year: int | None = None
    items: dict[str, float]


class Holder(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    name: str
    shares: float | None = None
    type: str | None = None
    as_of: str | None = None


class Estimate(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """An analysts' consensus (kind 'estimate') or the reported value (kind 'actual') of a
    measure (EPS, Revenue, ...) for a fiscal year."""

    kind: str
    measure: str
    fiscal_year: int | None = None
    value: float | None = None  # the mean of the estimates, or the actual
    median: float | None = None
    high: float | None = None
    low: float | None = None
    analysts: int | None = None


class CalendarEvent(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    type: str
    date: str
    time: str | None = None
    status: str | None = None
    description: str | None = None


class FundamentalsReport(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """What one report holds; sections the report type does not have stay empty (omitted)."""

    company: CompanyProfile | None = None
    market_cap: float | None = None  # USD (IB's MKTCAP is in millions)
    ratios: dict[str, float] = msgspec.field(default_factory=dict)
    forecasts: dict[str, float] = msgspec.field(default_factory=dict)
    summary: list[SummaryRow] = msgspec.field(default_factory=list)
    dividends: list[Dividend] = msgspec.field(default_factory=list)
    statements: list[StatementPeriod] = msgspec.field(default_factory=list)
    holders: list[Holder] = msgspec.field(default_factory=list)
    estimates: list[Estimate] = msgspec.field(default_factory=list)
    events: list[CalendarEvent] = msgspec.field(default_factory=list)


class Fundamentals(FundamentalsReport, frozen=True, kw_only=True, omit_defaults=True):
    contract_id: int
    symbol: str
    report_type: str
    limit: int
    truncated: bool = False  # some list had more entries than ``limit``


class CorporateEvent(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One Wall Street Horizon event: type is WSH's tag (wshe_ed earnings date, wshe_div
    dividend, ...), date its index date (ISO)."""

    type: str
    date: str
    details: dict[str, Any] = msgspec.field(default_factory=dict)


class CorporateEvents(msgspec.Struct, frozen=True, kw_only=True):
    contract_id: int
    symbol: str
    events: list[CorporateEvent]
    count: int

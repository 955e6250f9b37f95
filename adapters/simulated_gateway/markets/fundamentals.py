"""Fundamentals reports in the shape of IB's (Refinitiv) XML: ReportSnapshot,
ReportsFinSummary, ReportsFinStatements, ReportsOwnership, RESC and CalendarReport.

Only the elements an API client reads are written, with IB's element and attribute names;
the numbers come from the simulated company (``company.py``) and the price of now.
"""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import date, timedelta

from adapters.simulated_gateway.markets.company import Company, Period

# IB's 430 for an instrument (or a report) without fundamentals.
NOT_AVAILABLE = (430, "We are sorry, but fundamentals data for the security specified is not "
                      "available.")  # fmt: skip

# lineItem codes of IB's chart of accounts (COAMap), per statement.
COA: dict[str, tuple[tuple[str, str, str], ...]] = {
    "INC": (("SREV", "Revenue", "revenue"), ("SGRP", "Gross Profit", "gross_profit"),
            ("SOPI", "Operating Income", "operating_income"),
            ("NINC", "Net Income", "net_income"), ("SDBF", "Diluted EPS", "eps")),
    "BAL": (("ATOT", "Total Assets", "total_assets"),
            ("LTLL", "Total Liabilities", "total_liabilities"),
            ("ACAE", "Cash & Equivalents", "cash"), ("STLD", "Total Debt", "total_debt")),
    "CAS": (("OTLO", "Cash from Operating Activities", "operating_cash_flow"),
            ("SCEX", "Capital Expenditures", "capex")),
}  # fmt: skip


def _sub(parent: ET.Element, tag: str, text: object = None, **attrs: object) -> ET.Element:
    node = ET.SubElement(parent, tag, {k: str(v) for k, v in attrs.items()})
    if text is not None:
        node.text = str(text)
    return node


def _ids(root: ET.Element, c: Company) -> None:
    ids = _sub(root, "CoIDs")
    _sub(ids, "CoID", f"{c.con_id % 100000:05d}", Type="RepNo")
    _sub(ids, "CoID", c.name, Type="CompanyName")
    issue = _sub(_sub(root, "Issues"), "Issue", ID=1, Type="C", Desc="Common Stock", Order=1)
    _sub(issue, "IssueID", c.symbol, Type="Ticker")


def snapshot(c: Company, price: float, today: date, seed: int) -> ET.Element:
    root = ET.Element("ReportSnapshot", Major="1", Minor="0", Revision="1")
    _ids(root, c)
    general = _sub(root, "CoGeneralInfo")
    _sub(general, "Employees", c.employees, LastUpdated=c.annual[0].end.isoformat())
    _sub(general, "SharesOut", f"{c.shares:.1f}", Date=today.isoformat(),
         TotalFloat=f"{c.float_shares:.1f}")  # fmt: skip
    _sub(general, "ReportingCurrency", "U.S. Dollars", Code="USD")
    text = _sub(root, "TextInfo")
    _sub(text, "Text", f"{c.name} operates in {c.industry.lower()} ({c.sector}). This is a "
         "simulated company profile.", Type="Business Summary")  # fmt: skip
    industry = _sub(_sub(root, "peerInfo"), "IndustryInfo")
    _sub(industry, "Industry", c.industry, type="TRBC", order=1, code="5710601010")
    _sub(industry, "Industry", c.sector, type="SECTOR", order=1, code="57")
    ttm = c.interim
    revenue = sum(p.revenue for p in ttm)
    eps = sum(p.eps for p in ttm)
    dividend = sum(p.dividend_per_share for p in ttm)
    equity = ttm[0].total_assets - ttm[0].total_liabilities
    ratios = _sub(root, "Ratios", PriceCurrency="USD", ReportingCurrency="USD",
                  ExchangeRate="1.00000", LatestAvailableDate=c.annual[0].end.isoformat())  # fmt: skip
    groups = {
        "Price and Volume": (("NPRICE", price), ("NHIG", price * 1.18), ("NLOW", price * 0.74),
                             ("BETA", c.beta)),
        "Income Statement": (("MKTCAP", c.shares * price / 1e6), ("TTMREV", revenue),
                             ("TTMNIAC", sum(p.net_income for p in ttm))),
        "Per share data": (("TTMEPSXCLX", eps), ("TTMDIVSHR", dividend),
                           ("QBVPS", equity * 1e6 / c.shares)),
        "Other Ratios": (("PEEXCLXOR", price / eps if eps > 0 else None),
                         ("YIELD", 100 * dividend / price),
                         ("PRICE2BK", price * c.shares / (equity * 1e6) if equity > 0 else None),
                         ("TTMGROSMGN", 100 * sum(p.gross_profit for p in ttm) / revenue),
                         ("TTMROEPCT", 100 * sum(p.net_income for p in ttm) / equity
                          if equity > 0 else None)),
    }  # fmt: skip
    for name, fields in groups.items():
        group = _sub(ratios, "Group", ID=name)
        for code, value in fields:
            if value is not None:
                _sub(group, "Ratio", f"{value:.5f}", FieldName=code, Type="N")
    rng = random.Random(f"forecast:{seed}:{c.con_id}")
    forecast = _sub(root, "ForecastData", ConsensusType="Mean",
                    CurFiscalYear=c.annual[0].fiscal_year + 1,
                    CurFiscalYearEndMonth=c.fiscal_year_end_month)  # fmt: skip
    for code, value in (("ConsRecom", rng.uniform(1.5, 3.2)),
                        ("TargetPrice", price * rng.uniform(0.95, 1.3)),
                        ("ProjEPS", eps * rng.uniform(1.0, 1.2)),
                        ("ProjSales", revenue * rng.uniform(1.0, 1.15)),
                        ("ProjPE", price / eps / 1.1 if eps > 0 else None)):  # fmt: skip
        if value is not None:
            ratio = _sub(forecast, "Ratio", FieldName=code, Type="N")
            _sub(ratio, "Value", f"{value:.5f}", PeriodType="CURR")
    return root


def fin_summary(c: Company, price: float, today: date, seed: int) -> ET.Element:
    root = ET.Element("FinancialSummary")
    rows = [(p, "12M" if p.annual else "3M", "A" if p.annual else "R")
            for p in sorted(c.annual + c.interim, key=lambda p: p.end, reverse=True)]  # fmt: skip
    for group, tag, attr in (("EPSs", "EPS", "eps"), ("TotalRevenues", "TotalRevenue", "revenue"),
                             ("DividendPerShares", "DividendPerShare", "dividend_per_share")):  # fmt: skip
        node = _sub(root, group, currency="USD") if group != "EPSs" else _sub(root, group)
        for p, period, report in rows:
            value = getattr(p, attr) * (1e6 if attr == "revenue" else 1)
            _sub(node, tag, f"{value:.2f}", asofDate=p.end.isoformat(), reportType=report,
                 period=period)  # fmt: skip
    if c.dividend_per_quarter:
        dividends = _sub(root, "Dividends", currency="USD")
        for ex in c.ex_dividend_dates:
            _sub(
                dividends,
                "Dividend",
                f"{c.dividend_per_quarter:.2f}",
                type="CD",
                exDate=ex.isoformat(),
                payDate=(ex + timedelta(days=14)).isoformat(),
            )
    return root


def _statements(parent: ET.Element, periods: list[Period], kind: str) -> None:
    for p in periods:
        period = _sub(parent, "FiscalPeriod", Type=kind, EndDate=p.end.isoformat(),
                      FiscalYear=p.fiscal_year)  # fmt: skip
        for statement, items in COA.items():
            node = _sub(period, "Statement", Type=statement)
            header = _sub(node, "FPHeader")
            _sub(header, "PeriodLength", 12 if p.annual else 3)
            _sub(header, "periodType", "Months", Code="M")
            _sub(header, "StatementDate", p.end.isoformat())
            for code, _, attr in items:
                _sub(node, "lineItem", f"{getattr(p, attr):.2f}", coaCode=code)


def fin_statements(c: Company, price: float, today: date, seed: int) -> ET.Element:
    root = ET.Element("ReportFinancialStatements", Major="1", Minor="0", Revision="1")
    _ids(root, c)
    statements = _sub(root, "FinancialStatements")
    coa = _sub(statements, "COAMap")
    for statement, items in COA.items():
        for line, (code, name, _) in enumerate(items, start=1):
            _sub(coa, "mapItem", name, coaItem=code, statementType=statement, lineID=line * 10)
    _statements(_sub(statements, "AnnualPeriods"), c.annual, "Annual")
    _statements(_sub(statements, "InterimPeriods"), c.interim, "Interim")
    return root


_HOLDERS = (
    ("The Vanguard Group, Inc.", "Investment Advisor"),
    ("BlackRock Institutional Trust Company, N.A.", "Investment Advisor"),
    ("State Street Global Advisors (US)", "Investment Advisor"),
    ("Fidelity Management & Research Company LLC", "Investment Advisor"),
    ("Geode Capital Management, L.L.C.", "Investment Advisor"),
    ("Norges Bank Investment Management", "Sovereign Wealth Fund"),
    ("Chief Executive Officer", "Individual Investor"),
)


def ownership(c: Company, price: float, today: date, seed: int) -> ET.Element:
    rng = random.Random(f"owners:{seed}:{c.con_id}")
    root = ET.Element("OwnershipSnapshot")
    _sub(root, "floatShares", f"{c.float_shares:.0f}", asofDate=today.isoformat())
    share = rng.uniform(0.06, 0.09)
    for number, (name, kind) in enumerate(_HOLDERS, start=1):
        owner = _sub(root, "Owner", ownerId=1000 + number)
        _sub(owner, "type", kind)
        _sub(owner, "name", name)
        _sub(owner, "quantity", f"{c.shares * share:.0f}")
        _sub(owner, "currency", "USD")
        _sub(owner, "date", c.interim[0].end.isoformat())
        share *= rng.uniform(0.4, 0.8)
    return root


def estimates(c: Company, price: float, today: date, seed: int) -> ET.Element:
    rng = random.Random(f"resc:{seed}:{c.con_id}")
    root = ET.Element("RESC")
    info = _sub(_sub(root, "Company"), "CompanyInfo")
    _sub(info, "CompanyName", c.name)
    _sub(info, "Currency", "USD")
    actuals = _sub(root, "Actuals")
    for kind, attr in (("EPS", "eps"), ("Revenue", "revenue")):
        node = _sub(actuals, "FYActual", type=kind, unit="U" if kind == "EPS" else "M")
        for p in c.annual[:2]:
            period = _sub(node, "FYPeriod", fYear=p.fiscal_year,
                          endMonth=c.fiscal_year_end_month, periodType="A")  # fmt: skip
            _sub(period, "ActValue", f"{getattr(p, attr):.2f}")
    estimates_node = _sub(_sub(root, "ConsEstimates"), "FYEstimates")
    for kind, attr in (("EPS", "eps"), ("Revenue", "revenue")):
        node = _sub(estimates_node, "FYEstimate", type=kind, unit="U" if kind == "EPS" else "M")
        base = getattr(c.annual[0], attr)
        for ahead in (1, 2):
            period = _sub(node, "FYPeriod", fYear=c.annual[0].fiscal_year + ahead,
                          endMonth=c.fiscal_year_end_month, periodType="A")  # fmt: skip
            mean = base * (1 + rng.uniform(0.0, 0.15)) ** ahead
            spread = abs(mean) * rng.uniform(0.05, 0.2)
            count = rng.randint(8, 40)
            for name, value in (("High", mean + spread), ("Low", mean - spread),
                                ("Mean", mean), ("Median", mean * rng.uniform(0.98, 1.02)),
                                ("NumOfEst", count)):  # fmt: skip
                estimate = _sub(period, "ConsEstimate", type=name)
                _sub(estimate, "ConsValue", f"{value:.2f}", dateType="CURR")
    return root


def calendar(c: Company, price: float, today: date, seed: int) -> ET.Element:
    root = ET.Element("CalendarReport")
    _sub(root, "Company", c.name, Symbol=c.symbol)
    events = _sub(root, "Events")
    for day in c.earnings_dates:
        quarter = f"Q{(day.month - 2) // 3 % 4 + 1}"
        _sub(events, "Event", f"{c.name} {quarter} earnings release", Type="EarningsRelease",
             Date=day.isoformat(), Time="After Market",
             Status="Confirmed" if day <= today else "Projected")  # fmt: skip
    for ex in c.ex_dividend_dates:
        _sub(events, "Event", f"Quarterly dividend {c.dividend_per_quarter:.2f} USD",
             Type="ExDividend", Date=ex.isoformat(), Time="", Status="Confirmed")  # fmt: skip
    return root


REPORTS: dict[str, Callable[[Company, float, date, int], ET.Element]] = {
    "ReportSnapshot": snapshot,
    "ReportsFinSummary": fin_summary,
    "ReportsFinStatements": fin_statements,
    "ReportsOwnership": ownership,
    "RESC": estimates,
    "CalendarReport": calendar,
}


def report(kind: str, c: Company, price: float, today: date, seed: int) -> str | None:
    """The report's XML text, or None for a report type IB does not know."""
    build = REPORTS.get(kind)
    if build is None:
        return None
    root = build(c, price, today, seed)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")

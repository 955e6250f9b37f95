"""IB's fundamentals reports (XML in Refinitiv's schemas) read into ``FundamentalsReport``.

The XML is parsed only after refusing what a report never needs and an attacker would use:
a DTD or entity declarations (entity expansion, external entities), or a document over
``MAX_XML`` characters. Every list read is bounded (``MAX_ENTRIES``, ``MAX_LINE_ITEMS``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable

from domain.errors import GatewayError
from domain.fundamentals import (
    MAX_ENTRIES,
    MAX_LINE_ITEMS,
    MAX_TEXT,
    CalendarEvent,
    CompanyProfile,
    Dividend,
    Estimate,
    FundamentalsReport,
    Holder,
    StatementPeriod,
    SummaryRow,
)

MAX_XML = 4_000_000
# IB's ratio field names, as words an agent reads (others keep IB's name).
RATIO_NAMES = {
    "NPRICE": "price", "NHIG": "high_52_weeks", "NLOW": "low_52_weeks", "BETA": "beta",
    "MKTCAP": "market_cap_millions", "TTMREV": "revenue_ttm_millions",
    "TTMNIAC": "net_income_ttm_millions", "TTMEPSXCLX": "eps_ttm",
    "TTMDIVSHR": "dividend_per_share_ttm", "QBVPS": "book_value_per_share",
    "PEEXCLXOR": "pe_ratio", "YIELD": "dividend_yield_percent", "PRICE2BK": "price_to_book",
    "TTMGROSMGN": "gross_margin_ttm_percent", "TTMROEPCT": "return_on_equity_ttm_percent",
    "VOL10DAVG": "volume_10_day_average_millions", "EV": "enterprise_value_millions",
    "ConsRecom": "consensus_recommendation", "TargetPrice": "target_price",
    "ProjEPS": "projected_eps", "ProjSales": "projected_sales_millions",
    "ProjPE": "projected_pe", "ProjLTGrowthRate": "projected_long_term_growth_percent",
}  # fmt: skip
STATEMENTS = {"INC": "income", "BAL": "balance_sheet", "CAS": "cash_flow"}


def parse(text: str) -> ET.Element:
    """The document's root; GatewayError for a DTD, entities, oversize or broken XML."""
    if len(text) > MAX_XML:
        raise GatewayError(f"IB sent a fundamentals report of {len(text)} characters; refused")
    upper = text.upper()
    if "<!DOCTYPE" in upper or "<!ENTITY" in upper:
        raise GatewayError("IB's fundamentals report declares a DTD or entities; refused")
    try:
        return ET.fromstring(text)
    except ET.ParseError as exc:
        raise GatewayError(f"IB's fundamentals report is not well-formed XML: {exc}") from exc


def read_report(report_type: str, text: str) -> FundamentalsReport:
    return _READERS[report_type](parse(text))


def _num(text: str | None) -> float | None:
    try:
        return float(text) if text is not None and text.strip() else None
    except ValueError:
        return None


def _int(text: str | None) -> int | None:
    value = _num(text)
    return int(value) if value is not None else None


def _text(node: ET.Element | None, limit: int = 200) -> str | None:
    if node is None or node.text is None or not node.text.strip():
        return None
    return node.text.strip()[:limit]


def _bounded(nodes: list[ET.Element], limit: int = MAX_ENTRIES) -> list[ET.Element]:
    return nodes[:limit]


def _profile(root: ET.Element) -> CompanyProfile:
    general = root.find("CoGeneralInfo")
    shares = general.find("SharesOut") if general is not None else None
    currency = general.find("ReportingCurrency") if general is not None else None
    industries = root.findall("peerInfo/IndustryInfo/Industry")
    by_type = {i.get("type"): _text(i) for i in _bounded(industries, 20)}
    return CompanyProfile(
        name=_text(root.find("CoIDs/CoID[@Type='CompanyName']")),
        ticker=_text(root.find("Issues/Issue/IssueID[@Type='Ticker']")),
        sector=by_type.get("SECTOR"),
        industry=by_type.get("TRBC") or by_type.get("NAICS"),
        employees=_int(_text(general.find("Employees"))) if general is not None else None,
        shares_outstanding=_num(_text(shares)),
        float_shares=_num(shares.get("TotalFloat")) if shares is not None else None,
        reporting_currency=currency.get("Code") if currency is not None else None,
        summary=_text(root.find("TextInfo/Text[@Type='Business Summary']"), MAX_TEXT),
    )


def _ratios(nodes: list[ET.Element]) -> dict[str, float]:
    out: dict[str, float] = {}
    for node in _bounded(nodes):
        value = _num(node.findtext("Value") if node.find("Value") is not None else node.text)
        name = node.get("FieldName") or ""
        if name and value is not None and node.get("Type", "N") == "N":
            out[RATIO_NAMES.get(name, name)] = value
    return out


def _snapshot(root: ET.Element) -> FundamentalsReport:
    ratios = _ratios(root.findall("Ratios/Group/Ratio"))
    cap = ratios.get("market_cap_millions")
    return FundamentalsReport(
        company=_profile(root),
        market_cap=cap * 1e6 if cap is not None else None,
        ratios=ratios,
        forecasts=_ratios(root.findall("ForecastData/Ratio")),
    )


def _summary(root: ET.Element) -> FundamentalsReport:
    rows: dict[tuple[str, str, str], dict[str, float | None]] = {}
    for group, tag, field in (("EPSs", "EPS", "eps"), ("TotalRevenues", "TotalRevenue", "revenue"),
                              ("DividendPerShares", "DividendPerShare", "dividend_per_share")):  # fmt: skip
        for node in _bounded(root.findall(f"{group}/{tag}")):
            key = (node.get("asofDate", ""), node.get("period", ""), node.get("reportType", ""))
            rows.setdefault(key, {})[field] = _num(node.text)
    summary = [
        SummaryRow(as_of=k[0], period=k[1], report_type=k[2], **values)
        for k, values in sorted(rows.items(), key=lambda kv: kv[0][0], reverse=True)
    ][:MAX_ENTRIES]
    dividends = [
        Dividend(amount=amount, ex_date=n.get("exDate"), pay_date=n.get("payDate"),
                 type=n.get("type"))
        for n in _bounded(root.findall("Dividends/Dividend"))
        if (amount := _num(n.text)) is not None
    ]  # fmt: skip
    dividends.sort(key=lambda d: d.ex_date or "", reverse=True)
    return FundamentalsReport(summary=summary, dividends=dividends)


def _statements(root: ET.Element) -> FundamentalsReport:
    names = {m.get("coaItem"): _text(m) for m in _bounded(root.findall(".//COAMap/mapItem"), 2000)}
    out: list[StatementPeriod] = []
    for kind, path in (("annual", "AnnualPeriods"), ("interim", "InterimPeriods")):
        for period in _bounded(root.findall(f".//FinancialStatements/{path}/FiscalPeriod")):
            for statement in period.findall("Statement")[:3]:
                items: dict[str, float] = {}
                for line in statement.findall("lineItem")[:MAX_LINE_ITEMS]:
                    code = line.get("coaCode") or ""
                    value = _num(line.text)
                    if code and value is not None:
                        items[names.get(code) or code] = value
                out.append(StatementPeriod(
                    statement=STATEMENTS.get(statement.get("Type", ""), statement.get("Type", "")),
                    period_type=kind, end_date=period.get("EndDate", ""),
                    fiscal_year=_int(period.get("FiscalYear")), items=items,
                ))  # fmt: skip
    out.sort(key=lambda s: s.end_date, reverse=True)
    return FundamentalsReport(statements=out[:MAX_ENTRIES])


def _ownership(root: ET.Element) -> FundamentalsReport:
    holders = [
        Holder(name=name, shares=_num(o.findtext("quantity")), type=_text(o.find("type")),
               as_of=_text(o.find("date")))
        for o in _bounded(root.findall("Owner"))
        if (name := _text(o.find("name"))) is not None
    ]  # fmt: skip
    holders.sort(key=lambda h: h.shares or 0, reverse=True)
    return FundamentalsReport(holders=holders)


def _estimates(root: ET.Element) -> FundamentalsReport:
    out: list[Estimate] = []
    for actual in _bounded(root.findall("Actuals/FYActual")):
        for period in actual.findall("FYPeriod")[:20]:
            out.append(Estimate(kind="actual", measure=actual.get("type", ""),
                                fiscal_year=_int(period.get("fYear")),
                                value=_num(period.findtext("ActValue"))))  # fmt: skip
    for estimate in _bounded(root.findall("ConsEstimates/FYEstimates/FYEstimate")):
        for period in estimate.findall("FYPeriod")[:20]:
            values = {c.get("type"): _num(c.findtext("ConsValue"))
                      for c in period.findall("ConsEstimate")[:20]}  # fmt: skip
            count = values.get("NumOfEst")
            out.append(Estimate(
                kind="estimate", measure=estimate.get("type", ""),
                fiscal_year=_int(period.get("fYear")), value=values.get("Mean"),
                median=values.get("Median"), high=values.get("High"), low=values.get("Low"),
                analysts=int(count) if count is not None else None,
            ))  # fmt: skip
    out.sort(key=lambda e: (e.fiscal_year or 0, e.measure), reverse=True)
    return FundamentalsReport(estimates=out[:MAX_ENTRIES])


def _calendar(root: ET.Element) -> FundamentalsReport:
    events = [
        CalendarEvent(type=e.get("Type", ""), date=e.get("Date", ""),
                      time=e.get("Time") or None, status=e.get("Status") or None,
                      description=_text(e))
        for e in _bounded(root.findall(".//Events/Event"))
    ]  # fmt: skip
    events.sort(key=lambda e: e.date)
    return FundamentalsReport(events=events)


_READERS: dict[str, Callable[[ET.Element], FundamentalsReport]] = {
    "ReportSnapshot": _snapshot,
    "ReportsFinSummary": _summary,
    "ReportsFinStatements": _statements,
    "ReportsOwnership": _ownership,
    "RESC": _estimates,
    "CalendarReport": _calendar,
}

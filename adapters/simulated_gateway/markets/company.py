"""The simulated companies behind the listed common stocks: share count, yearly and quarterly
financials, dividend and the earnings calendar, derived from the world's seed and the listing.

Market capitalisation is the listing's at its starting price, so the share count is fixed;
figures quoted at the current price (market cap, P/E, yield) use the world's price of now.
Fundamentals reports (``fundamentals.py``) and WSH corporate events (``wsh.py``) read the same
profile, so an earnings date is the same in both.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from adapters.simulated_gateway.markets.universe import LISTINGS
from adapters.simulated_gateway.model import Instrument

_START_PRICE = {li.con_id: li.price for li in LISTINGS}
ANNUAL_PERIODS = 4
INTERIM_PERIODS = 4


@dataclass(frozen=True, slots=True)
class Period:
    end: date
    fiscal_year: int
    annual: bool
    revenue: float  # millions
    gross_profit: float
    operating_income: float
    net_income: float
    eps: float  # diluted, per share
    dividend_per_share: float
    total_assets: float
    total_liabilities: float
    cash: float
    total_debt: float
    operating_cash_flow: float
    capex: float


@dataclass(frozen=True, slots=True)
class Company:
    con_id: int
    symbol: str
    name: str
    sector: str
    industry: str
    employees: int
    shares: float  # outstanding
    float_shares: float
    fiscal_year_end_month: int
    annual: list[Period]  # newest first
    interim: list[Period]  # newest first
    dividend_per_quarter: float  # 0: pays none
    beta: float
    earnings_dates: list[date]  # the last two and the next two, oldest first
    ex_dividend_dates: list[date]


def has_fundamentals(inst: Instrument) -> bool:
    """IB keeps company reports for common stocks only (not ETFs, options, futures, ...)."""
    return inst.sec_type == "STK" and inst.stock_type == "COMMON" and inst.con_id in _START_PRICE


def company(inst: Instrument, seed: int, today: date) -> Company:
    rng = random.Random(f"company:{seed}:{inst.con_id}")
    shares = round(inst.market_cap / _START_PRICE[inst.con_id], -3)
    fy_month = rng.choice((12, 12, 12, 9, 6))
    price_to_sales = rng.uniform(1.5, 12.0)
    revenue_ttm = inst.market_cap / price_to_sales / 1e6
    gross = rng.uniform(0.25, 0.75)
    operating = gross * rng.uniform(0.3, 0.7)
    net = operating * rng.uniform(0.6, 0.85)
    growth = rng.uniform(-0.03, 0.25)
    payout = 0.0 if rng.random() < 0.3 else rng.uniform(0.15, 0.6)
    annual = _periods(rng, today, fy_month, revenue_ttm, growth, (gross, operating, net),
                      shares, payout, annual=True)  # fmt: skip
    interim = _periods(rng, today, fy_month, revenue_ttm / 4, growth / 4,
                       (gross, operating, net), shares, payout, annual=False)  # fmt: skip
    last_quarter = interim[0].end
    earnings = [
        last_quarter + timedelta(days=28 + 91 * k + rng.randint(0, 6)) for k in (-1, 0, 1, 2)
    ]
    dividend = round(interim[0].dividend_per_share, 2)
    ex_dates = [d - timedelta(days=14) for d in earnings] if dividend else []
    return Company(
        con_id=inst.con_id,
        symbol=inst.symbol,
        name=(inst.long_name or inst.symbol).title(),
        sector=inst.industry,
        industry=inst.subcategory or inst.category,
        employees=int(revenue_ttm * rng.uniform(0.5, 4.0)),
        shares=shares,
        float_shares=round(shares * rng.uniform(0.85, 0.995), -3),
        fiscal_year_end_month=fy_month,
        annual=annual,
        interim=interim,
        dividend_per_quarter=dividend,
        beta=round(rng.uniform(0.5, 1.8), 2),
        earnings_dates=earnings,
        ex_dividend_dates=ex_dates,
    )


def _periods(
    rng: random.Random,
    today: date,
    fy_month: int,
    latest_revenue: float,
    growth: float,
    margins: tuple[float, float, float],
    shares: float,
    payout: float,
    *,
    annual: bool,
) -> list[Period]:
    """Newest first; the latest period ended before today and was reported (45 days)."""
    out = []
    ends = _period_ends(today - timedelta(days=45), fy_month, annual)
    revenue = latest_revenue
    for end in ends[: ANNUAL_PERIODS if annual else INTERIM_PERIODS]:
        gross, operating, net = (m * rng.uniform(0.9, 1.1) for m in margins)
        net_income = revenue * net
        eps = net_income * 1e6 / shares
        assets = revenue * rng.uniform(1.2, 3.0) * (1 if annual else 4)
        liabilities = assets * rng.uniform(0.3, 0.75)
        out.append(Period(
            end=end, fiscal_year=end.year + (1 if end.month > fy_month else 0), annual=annual,
            revenue=round(revenue, 1), gross_profit=round(revenue * gross, 1),
            operating_income=round(revenue * operating, 1), net_income=round(net_income, 1),
            eps=round(eps, 2), dividend_per_share=round(max(eps, 0) * payout, 2),
            total_assets=round(assets, 1), total_liabilities=round(liabilities, 1),
            cash=round(assets * rng.uniform(0.05, 0.25), 1),
            total_debt=round(liabilities * rng.uniform(0.2, 0.6), 1),
            operating_cash_flow=round(net_income * rng.uniform(1.0, 1.4), 1),
            capex=round(-revenue * rng.uniform(0.02, 0.12), 1),
        ))  # fmt: skip
        revenue /= 1 + growth
    return out


def _period_ends(before: date, fy_month: int, annual: bool) -> list[date]:
    """Ends of fiscal years (or quarters) before ``before``, newest first (last calendar day
    of the month)."""
    months = [fy_month] if annual else sorted({(fy_month - 3 * k - 1) % 12 + 1 for k in range(4)})
    ends: list[date] = []
    year = before.year
    while len(ends) < 8:
        for month in sorted(months, reverse=True):
            end = _month_end(year, month)
            if end < before:
                ends.append(end)
        year -= 1
    return sorted(ends, reverse=True)


def _month_end(year: int, month: int) -> date:
    first_next = date(year + (month == 12), month % 12 + 1, 1)
    return first_next - timedelta(days=1)

"""Listed option classes: expiration calendars, strike grids and lazily built option contracts.

Options are never stored up front (SPX alone would be tens of thousands). A contract is built on
demand, and its conId is an injective encoding of (class, expiry, right, strike) so that it is
the same in every run, needs no registry to stay unique, and can be decoded back into the
contract when a client later asks by conId alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from adapters.simulated_gateway.model import Instrument

from .trading_calendar import OPTION_REGULAR, is_trading_day

OPTION_CON_ID_BASE = 1 << 30  # [2**30, 2**31): clear of every real stock/index conId we use
_DAY0 = date(2000, 1, 1)
_EXPIRY_CYCLE = 2048  # days; two expiries this far apart never coexist
OPTION_EXCHANGES = ("SMART", "CBOE", "BOX", "NASDAQOM", "AMEX", "ISE", "PHLX")
INDEX_OPTION_EXCHANGES = ("SMART", "CBOE")


def _third_friday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(4 - first.weekday()) % 7 + 14)


def _tradeable(friday: date) -> date:
    # An expiry Friday that is a holiday (Good Friday) moves to the Thursday before.
    return friday if is_trading_day(friday) else friday - timedelta(days=1)


def _months_ahead(today: date, n: int) -> list[date]:
    out = []
    y, m = today.year, today.month
    for _ in range(n):
        out.append(_tradeable(_third_friday(y, m)))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def weekly_expiries(today: date, weeks: int) -> list[date]:
    friday = today + timedelta(days=(4 - today.weekday()) % 7)
    return [_tradeable(friday + timedelta(weeks=i)) for i in range(weeks)]


def monthly_expiries(today: date, months: int) -> list[date]:
    return _months_ahead(today, months)


def strike_increment(price: float) -> float:
    for limit, inc in ((25, 0.5), (100, 1.0), (250, 2.5)):
        if price < limit:
            return inc
    return 5.0


def strike_grid(reference: float, unit: float) -> list[float]:
    """Fine strikes within 20% of the reference, five times coarser out to 50%."""
    inc = max(strike_increment(reference), unit)
    near = {
        round(k * inc, 4)
        for k in range(math.ceil(0.8 * reference / inc), math.floor(1.2 * reference / inc) + 1)
    }
    coarse = 5 * inc
    far = {
        round(k * coarse, 4)
        for k in range(
            math.ceil(0.5 * reference / coarse), math.floor(1.5 * reference / coarse) + 1
        )
    }
    max_strike = unit * 4095  # the conId encoding keeps 12 bits for the strike
    return sorted(k for k in near | far if 0 < k <= max_strike)


@dataclass(frozen=True, slots=True)
class OptionClass:
    """One trading class of options on one underlying (AAPL, or SPX vs SPXW)."""

    index: int  # < 64, part of the conId encoding
    underlying: Instrument
    trading_class: str
    reference_price: float  # centres the strike grid
    strike_unit: float  # every strike is a multiple of this
    weekly: bool
    monthly: bool
    exchanges: tuple[str, ...]

    def expirations(self, today: date) -> list[date]:
        days: set[date] = set()
        if self.weekly:
            days.update(weekly_expiries(today, 8))
        if self.monthly:
            days.update(monthly_expiries(today, 9))
            days.update(_tradeable(_third_friday(today.year + i, 1)) for i in (1, 2))
        return sorted(d for d in days if d >= today)

    def strikes(self) -> list[float]:
        return strike_grid(self.reference_price, self.strike_unit)

    def con_id(self, expiry: date, strike: float, right: str) -> int:
        strike_idx = round(strike / self.strike_unit)
        day = (expiry - _DAY0).days % _EXPIRY_CYCLE
        return (
            OPTION_CON_ID_BASE
            + (self.index << 24)
            + (day << 13)
            + ((right == "P") << 12)
            + strike_idx
        )

    def contract(self, expiry: date, strike: float, right: str, today: date) -> Instrument:
        u = self.underlying
        root = self.trading_class
        occ = f"{root:<6}{expiry:%y%m%d}{right}{round(strike * 1000):08d}"
        return Instrument(
            con_id=self.con_id(expiry, strike, right),
            symbol=u.symbol,
            sec_type="OPT",
            exchange="SMART",
            primary_exchange="",
            currency=u.currency,
            local_symbol=occ,
            trading_class=root,
            last_trade_date=f"{expiry:%Y%m%d}",
            strike=strike,
            right=right,
            multiplier="100",
            long_name=u.long_name,
            industry=u.industry,
            category=u.category,
            subcategory=u.subcategory,
            min_tick=0.01,
            order_types="ACTIVETIM,AD,ADJUST,ALERT,ALLOC,AVGCOST,BASKET,COND,CONDORDER,DAY,"
            "DEACT,DEACTDIS,DEACTEOD,GAT,GTC,GTD,GTT,HID,ICE,IOC,LIT,LMT,MIT,MKT,MTL,NGCOMB,"
            "NONALGO,OCA,PEGBENCH,SCALE,SCALERST,SNAPMID,SNAPMKT,SNAPREL,STP,STPLMT,TRAIL,"
            "TRAILLIT,TRAILLMT,TRAILMIT,WHATIF",
            valid_exchanges=",".join(self.exchanges),
            time_zone_id="US/Eastern",
            trading_hours=OPTION_REGULAR.ib_string(today),
            liquid_hours=OPTION_REGULAR.ib_string(today),
            market_rule_ids=",".join("32" for _ in self.exchanges),
            market_name=root,
            under_con_id=u.con_id,
            under_symbol=u.symbol,
            under_sec_type=u.sec_type,
        )


def decode_option_con_id(con_id: int, today: date) -> tuple[int, date, str, int] | None:
    """(class index, expiry, right, strike index) for an option conId, or None."""
    if not OPTION_CON_ID_BASE <= con_id < 2 * OPTION_CON_ID_BASE:
        return None
    rest = con_id - OPTION_CON_ID_BASE
    index, day_mod = rest >> 24, (rest >> 13) & (_EXPIRY_CYCLE - 1)
    right = "P" if (rest >> 12) & 1 else "C"
    strike_idx = rest & 0xFFF
    today_n = (today - _DAY0).days
    # The expiry in the cycle nearest to today (within +-1024 days).
    n = today_n + ((day_mod - today_n + _EXPIRY_CYCLE // 2) % _EXPIRY_CYCLE) - _EXPIRY_CYCLE // 2
    return index, _DAY0 + timedelta(days=n), right, strike_idx

"""Builders for the non-option contracts, filled in the way IB's contract details fill them."""

from __future__ import annotations

from datetime import date, timedelta

from adapters.simulated_gateway.model import Instrument

from .trading_calendar import (
    FUTURE_GLOBEX,
    FUTURE_REGULAR,
    FX_IDEALPRO,
    INDEX_REGULAR,
    STOCK_EXTENDED,
    STOCK_REGULAR,
    XETRA_EXTENDED,
    XETRA_REGULAR,
    is_trading_day,
)
from .universe import Listing

STOCK_ORDER_TYPES = (
    "ACTIVETIM,AD,ADJUST,ALERT,ALGO,ALLOC,AVGCOST,BASKET,BENCHPX,COND,CONDORDER,DARKONLY,"
    "DARKPOLL,DAY,DEACT,DEACTDIS,DEACTEOD,DIS,DUR,GAT,GTC,GTD,GTT,HID,IBKRATS,ICE,IMB,IOC,"
    "LIT,LMT,LOC,MIDPX,MIT,MKT,MOC,MTL,NGCOMB,NODARK,NONALGO,OCA,OPG,OPGREROUT,PEGBENCH,"
    "PEGMID,POSTATS,POSTONLY,PREOPGRTH,PRICECHK,REL,REL2MID,RELPCTOFS,RPI,RTH,SCALE,"
    "SCALEODD,SCALERST,SIZECHK,SNAPMID,SNAPMKT,SNAPREL,STP,STPLMT,SWEEP,TRAIL,TRAILLIT,"
    "TRAILLMT,TRAILMIT,WHATIF"
)
_US_VENUES = (
    "SMART,AMEX,NYSE,CBOE,PHLX,ISE,CHX,ARCA,NASDAQ,DRCTEDGE,BEX,BATS,EDGEA,BYX,IEX,EDGX,"
    "FOXRIVER,PEARL,NYSENAT,LTSE,MEMX,IBEOS,OVERNIGHT,TPLUS0,PSX"
)
_GERMAN_VENUES = "SMART,FWB2,IBIS,SWB2,GETTEX2"


def stock(li: Listing, today: date) -> Instrument:
    us = li.currency == "USD"
    # IB names NASDAQ-listed stocks' trading class and market "NMS".
    trading_class = li.trading_class or ("NMS" if li.primary == "NASDAQ" else li.symbol)
    venues = _US_VENUES if us else _GERMAN_VENUES
    return Instrument(
        con_id=li.con_id,
        symbol=li.symbol,
        sec_type="STK",
        exchange="SMART",
        primary_exchange=li.primary,
        currency=li.currency,
        local_symbol=li.local_symbol or li.symbol,
        trading_class=trading_class,
        long_name=li.long_name,
        industry=li.industry,
        category=li.category,
        subcategory=li.subcategory,
        min_tick=0.01 if us else 0.001,
        order_types=STOCK_ORDER_TYPES,
        valid_exchanges=venues,
        time_zone_id="US/Eastern" if us else "MET",
        trading_hours=(STOCK_EXTENDED if us else XETRA_EXTENDED).ib_string(today),
        liquid_hours=(STOCK_REGULAR if us else XETRA_REGULAR).ib_string(today),
        market_rule_ids=",".join("26" if us else "558" for _ in venues.split(",")),
        market_name=trading_class,
        stock_type=li.stock_type,
        market_cap=li.market_cap,
        # Whole shares (the simulated account has no fractional-share permission); IB
        # suggests round lots of 100.
        suggested_size_increment=100.0,
    )


def index(con_id: int, today: date) -> Instrument:
    return Instrument(
        con_id=con_id,
        symbol="SPX",
        sec_type="IND",
        exchange="CBOE",
        primary_exchange="CBOE",
        currency="USD",
        local_symbol="SPX",
        trading_class="SPX",
        long_name="S&P 500 Stock Index",
        industry="Indices",
        category="Broad Range Equity Index",
        subcategory="*",
        min_tick=0.01,
        order_types="",
        valid_exchanges="CBOE",
        trading_hours=INDEX_REGULAR.ib_string(today),
        liquid_hours=INDEX_REGULAR.ib_string(today),
        market_rule_ids="109",
        market_name="SPX",
    )


def fx_pair(con_id: int, today: date) -> Instrument:
    return Instrument(
        con_id=con_id,
        symbol="EUR",
        sec_type="CASH",
        exchange="IDEALPRO",
        primary_exchange="",
        currency="USD",
        local_symbol="EUR.USD",
        trading_class="EUR.USD",
        long_name="European Monetary Union Euro",
        category="Currency",
        min_tick=0.00005,
        order_types="ACTIVETIM,AD,ADJUST,ALERT,ALLOC,AVGCOST,BASKET,CASHQTY,COND,CONDORDER,"
        "DAY,DEACT,DEACTDIS,DEACTEOD,GAT,GTC,GTD,GTT,IOC,LIT,LMT,MIT,MKT,NONALGO,OCA,"
        "REL,RELPCTOFS,SCALE,SCALERST,STP,STPLMT,TRAIL,TRAILLIT,TRAILLMT,TRAILMIT,WHATIF",
        valid_exchanges="IDEALPRO",
        trading_hours=FX_IDEALPRO.ib_string(today),
        liquid_hours=FX_IDEALPRO.ib_string(today),
        market_rule_ids="239",
        market_name="EUR.USD",
        # IB quotes currency amounts to the cent.
        min_size=0.01,
        size_increment=0.01,
        suggested_size_increment=0.01,
    )


_FUTURE_MONTH_CODES = {3: "H", 6: "M", 9: "U", 12: "Z"}
ES_MULTIPLIER = 50.0


def es_con_id(expiry: date) -> int:
    return 495_000_000 + expiry.year * 100 + expiry.month


def es_expiries(today: date, count: int = 4) -> list[date]:
    """The next quarterly E-mini expiries: third Friday of Mar/Jun/Sep/Dec."""
    out: list[date] = []
    y, m = today.year, 3 * ((today.month - 1) // 3 + 1)
    while len(out) < count:
        first = date(y, m, 1)
        friday = first + timedelta(days=(4 - first.weekday()) % 7 + 14)
        if not is_trading_day(friday):
            friday -= timedelta(days=1)
        if friday >= today:
            out.append(friday)
        y, m = (y + 1, 3) if m == 12 else (y, m + 3)
    return out


def futures(today: date) -> list[Instrument]:
    return [
        Instrument(
            con_id=es_con_id(expiry),
            symbol="ES",
            sec_type="FUT",
            exchange="CME",
            primary_exchange="CME",
            currency="USD",
            local_symbol=f"ES{_FUTURE_MONTH_CODES[expiry.month]}{expiry.year % 10}",
            trading_class="ES",
            last_trade_date=f"{expiry:%Y%m%d}",
            multiplier="50",
            long_name="E-mini S&P 500",
            industry="Indices",
            category="Broad Range Equity Index",
            min_tick=0.25,
            order_types="ACTIVETIM,AD,ADJUST,ALERT,ALGO,ALLOC,AVGCOST,BASKET,COND,CONDORDER,"
            "DAY,DEACT,DEACTDIS,DEACTEOD,GAT,GTC,GTD,GTT,HID,ICE,IOC,LIT,LMT,LTH,MIT,MKT,MTL,"
            "NGCOMB,NONALGO,OCA,SCALE,SCALERST,SNAPMID,SNAPMKT,SNAPREL,STP,STPLMT,TRAIL,"
            "TRAILLIT,TRAILLMT,TRAILMIT,WHATIF",
            valid_exchanges="CME,QBALGO",
            time_zone_id="US/Central",
            trading_hours=FUTURE_GLOBEX.ib_string(today),
            liquid_hours=FUTURE_REGULAR.ib_string(today),
            market_rule_ids="67,67",
            market_name="ES",
            under_con_id=11004968,
            under_symbol="ES",
            under_sec_type="IND",
        )
        for expiry in es_expiries(today)
    ]

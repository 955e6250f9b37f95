"""Field types several operations share: one description, bound, enum and example each.

Optional fields are ``Annotated[<constrained type> | None, Meta(description=...)]``: the
description sits on the field, the bounds on the value. ``Literal`` types are the enums;
``Meta(extra={"normalize": ...})`` lets a sloppy spelling through (``buy``, ``CALL``) as the
canonical value, ``extra={"format": ...}`` says in words what a pattern means.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from msgspec import Meta

from domain.contract import SEC_TYPES, right_word
from domain.market_data import BAR_SIZES, WHAT_TO_SHOW, bar_size_word
from domain.order_types import describe_order_types
from domain.orders import ACTIONS, ORDER_TYPES, TIME_IN_FORCE, order_type_word
from entrypoints.catalog.details import DETAILS

# IB's contract and order ids are 32-bit signed integers.
MAX_ID = 2**31 - 1
# 2**31 - 1 is IB's "unset" marker, never the id of an order.
MAX_ORDER_ID = 2**31 - 2


def upper_words(value: str) -> str:
    """' buy ' -> 'BUY', '1  d' -> '1 D'."""
    return " ".join(value.split()).upper()


def normalize(function: Any, **hints: Any) -> dict[str, Any]:
    return {"normalize": function, **hints}


# Literal[tuple] expands to the tuple's members: the domain's lists stay the single source.
SecTypeName = Literal[SEC_TYPES]  # type: ignore[valid-type]
ActionName = Literal[ACTIONS]  # type: ignore[valid-type]
OrderTypeName = Literal[ORDER_TYPES]  # type: ignore[valid-type]
TimeInForceName = Literal[TIME_IN_FORCE]  # type: ignore[valid-type]
BarSizeName = Literal[BAR_SIZES]  # type: ignore[valid-type]
WhatToShowName = Literal[WHAT_TO_SHOW]  # type: ignore[valid-type]
RightName = Literal["C", "P"]

# Each with its details part (catalog.details), which only the REST documentation shows.
SEC_TYPE_HELP = "Security type, e.g. STK (stock, ETF), FOP (future option), CASH (forex)"
SEC_TYPE_DETAILS = (
    f"{DETAILS}STK is a stock or an ETF, OPT an option, FUT a future, IND an index, FOP a "
    "future option, CASH a forex pair, WAR a warrant, CMDTY a commodity, FUND a mutual fund"
)
EXCHANGE_HELP = "IB exchange: SMART (IB's router) for most; else e.g. CME, IDEALPRO (forex)"
EXCHANGE_DETAILS = (
    f"{DETAILS}SMART is IB's best-execution router, the usual choice; other codes are ISLAND, "
    "NYSE, ARCA, NASDAQ, CBOE, CME, GLOBEX, IDEALPRO (forex), LSE, FWB"
)
EXPIRY_FORMAT = "YYYYMMDD, or YYYYMM for a contract month"
RIGHT_FORMAT = "C or P (CALL or PUT accepted)"

Text32 = Annotated[str, Meta(max_length=32)]
Id = Annotated[int, Meta(ge=1, le=MAX_ID)]
# Finite: JSON's 1e400 and a query's "inf" decode to infinity.
Positive = Annotated[float, Meta(gt=0, lt=1e15)]
NonNegative = Annotated[float, Meta(ge=0, lt=1e15)]

AccountId = Annotated[
    Text32 | None,
    Meta(
        description="IB account id; default: the session's"
        f"{DETAILS}For example DU1234567 (paper accounts start with D)",
        examples=["DU1234567"],
    ),
]
ContractId = Annotated[
    Id | None,
    Meta(
        description="IB contract id (conId; get_contract_details finds it)"
        f"{DETAILS}The surest way to name a contract; for example 265598 is AAPL stock",
        examples=[265598],
    ),
]
Symbol = Annotated[
    Text32 | None,
    Meta(description="Ticker symbol, e.g. AAPL, SPX, EUR", examples=["AAPL"]),
]
SecType = Annotated[
    SecTypeName | None,
    Meta(
        description=SEC_TYPE_HELP + SEC_TYPE_DETAILS, examples=["STK"], extra=normalize(upper_words)
    ),
]
Exchange = Annotated[
    Text32 | None, Meta(description=EXCHANGE_HELP + EXCHANGE_DETAILS, examples=["SMART"])
]
PrimaryExchange = Annotated[
    Text32 | None,
    Meta(
        description="Listing exchange (e.g. NASDAQ): tells apart same-symbol stocks"
        f"{DETAILS}Stocks routed via SMART with the same symbol",
        examples=["NASDAQ"],
    ),
]
Currency = Annotated[
    Annotated[str, Meta(max_length=8)] | None,
    Meta(description="Currency, e.g. USD", examples=["USD"]),
]
Expiry = Annotated[
    Annotated[str, Meta(pattern=r"^[0-9]{6}([0-9]{2})?$")] | None,
    Meta(
        description="Options, futures: expiry YYYYMMDD (or contract month YYYYMM)",
        examples=["20260213"],
        extra={"format": EXPIRY_FORMAT},
    ),
]
Strike = Annotated[
    Positive | None,
    Meta(description="Options: strike price", examples=[120.0]),
]
Right = Annotated[
    RightName | None,
    Meta(
        description="Options: C call, P put",
        examples=["C"],
        extra=normalize(right_word, format=RIGHT_FORMAT),
    ),
]
TradingClass = Annotated[
    Text32 | None,
    Meta(
        description=f"Options, futures: trading class, e.g. SPXW{DETAILS}SPXW: weekly SPX options",
        examples=["SPXW"],
    ),
]
Multiplier = Annotated[
    Annotated[str, Meta(max_length=16)] | None,
    Meta(description="Options, futures: multiplier, e.g. 100", examples=["100"]),
]
Action = Annotated[
    ActionName,
    Meta(description="BUY or SELL", examples=["BUY"], extra=normalize(upper_words)),
]
OrderType = Annotated[
    OrderTypeName,
    Meta(
        description=describe_order_types(DETAILS),
        examples=["LMT"],
        extra=normalize(order_type_word),
    ),
]
TimeInForce = Annotated[
    TimeInForceName,
    Meta(
        description="DAY, GTC (until cancelled), IOC (now, rest cancelled), GTD (until "
        "good_till_date), OPG (opening auction), FOK (all now or nothing). OPG, FOK: MKT or "
        "LMT only; MOC, LOC: DAY only",
        examples=["DAY"],
        extra=normalize(upper_words),
    ),
]
BarSize = Annotated[
    BarSizeName,
    Meta(
        description=f"Length of one bar{DETAILS}For example '1 min', '5 mins', '1 hour', '1 day'",
        examples=["5 mins"],
        extra=normalize(bar_size_word),
    ),
]
WhatToShow = Annotated[
    WhatToShowName,
    Meta(
        description="Which prices: TRADES (stocks, futures), MIDPOINT or BID_ASK (forex, "
        f"options), ADJUSTED_LAST (split-adjusted){DETAILS}Adjusted for splits and dividends. "
        "Also BID, ASK, "
        "HISTORICAL_VOLATILITY and OPTION_IMPLIED_VOLATILITY",
        examples=["TRADES"],
        extra=normalize(upper_words),
    ),
]
OrderId = Annotated[
    int,
    Meta(
        ge=1,
        le=MAX_ORDER_ID,
        description="As place_order or get_open_orders answered it",
        examples=[42],
    ),
]

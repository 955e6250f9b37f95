"""The place/preview input's fields for order types beyond market, limit and stop.

Which type needs which field is the domain's table (``domain/order_types.py``); these are the
fields' documentation for the doors.
"""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta

from domain.algos import Algo
from entrypoints.catalog.details import DETAILS

_Price = Annotated[float, Meta(gt=0, le=1e12)]
_Distance = Annotated[float, Meta(ge=0, le=1e12)]

TriggerPrice = Annotated[
    _Price | None,
    Meta(
        description="MIT, LIT: the price that, once touched, sends the order"
        f"{DETAILS}A BUY triggers at or below it, a SELL at or above",
        examples=[148.5],
    ),
]
TrailingAmount = Annotated[
    _Price | None,
    Meta(
        description="TRAIL, TRAIL LIMIT: the stop's distance from the best price, in money"
        f"{DETAILS}IB's auxPrice; or give trailing_percent",
        examples=[2.5],
    ),
]
TrailingPercent = Annotated[
    Annotated[float, Meta(gt=0, lt=100)] | None,
    Meta(
        description="TRAIL, TRAIL LIMIT: the distance in percent (1.5 = 1.5%)"
        f"{DETAILS}Or give trailing_amount",
        examples=[1.5],
    ),
]
TrailStopPrice = Annotated[
    _Price | None,
    Meta(
        description="TRAIL, TRAIL LIMIT: the first stop price (default: market -/+ distance)"
        f"{DETAILS}get_open_orders shows the stop as it moves",
        examples=[145.0],
    ),
]
LimitOffset = Annotated[
    _Distance | None,
    Meta(
        description="TRAIL LIMIT: the limit's distance from the stop (SELL below, BUY above)"
        f"{DETAILS}A SELL's limit is stop - offset, a BUY's stop + offset; IB's "
        "lmtPriceOffset",
        examples=[0.1],
    ),
]
RelOffset = Annotated[
    _Distance | None,
    Meta(
        description="REL: added to the bid (BUY) or taken from the ask (SELL)",
        examples=[0.01],
    ),
]
AlgoInput = Annotated[
    Algo | None,
    Meta(
        description="An IB algo, for MKT and LMT orders"
        f'{DETAILS}For example {{"strategy": "Twap", "params": {{"startTime": "10:00:00 '
        'US/Eastern", "endTime": "11:00:00 US/Eastern"}}, {"strategy": "Adaptive", "params": '
        '{"adaptivePriority": "Patient"}} or {"strategy": "Vwap", "params": {"maxPctVol": 0.1}}',
    ),
]

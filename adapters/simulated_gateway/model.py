"""The seam between the simulator's wire side and its market/exchange side.

The wire side (``tws``: ``wire``, ``messages``, ``session``, ``server``, ``handlers``) decodes
TWS API requests and encodes replies; the world side (``world`` over ``markets``, ``orders`` and
``portfolio``) holds instruments, prices, orders and the account. They meet only through the
plain dataclasses and the protocols below, in IB's own terms (conIds, IB order types, IB status
words), so each side can be built and tested alone. This module imports nothing of either.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Instrument:
    """One tradable (or index) contract, with everything IB's CONTRACT_DATA carries."""

    con_id: int
    symbol: str
    sec_type: str  # STK, IND, OPT, FUT, CASH
    exchange: str  # the routing exchange in replies, e.g. SMART, IDEALPRO, CME
    primary_exchange: str  # NASDAQ, NYSE, ARCA, IBIS (the German venue), CBOE, ...
    currency: str
    local_symbol: str
    trading_class: str
    last_trade_date: str = ""  # YYYYMMDD for options and futures
    strike: float = 0.0
    right: str = ""  # "C" or "P" for options
    multiplier: str = ""  # "100" for equity options, "50" for ES, "" for stocks
    long_name: str = ""
    industry: str = ""
    category: str = ""
    subcategory: str = ""
    min_tick: float = 0.01
    order_types: str = "LMT,MKT,STP,STP LMT,TRAIL"
    valid_exchanges: str = "SMART"
    time_zone_id: str = "US/Eastern"
    trading_hours: str = ""
    liquid_hours: str = ""
    market_rule_ids: str = "26"
    market_name: str = ""
    under_con_id: int = 0
    under_symbol: str = ""
    under_sec_type: str = ""
    stock_type: str = ""  # COMMON, ETF, ...
    market_cap: float = 0.0  # USD, for scanner filters
    # IB's order size rules: the smallest order, the step between sizes, and the step IB
    # suggests (a round lot). Whole units unless the product trades in fractions.
    min_size: float = 1.0
    size_increment: float = 1.0
    suggested_size_increment: float = 1.0


@dataclass(frozen=True, slots=True)
class ContractQuery:
    """A contract as a client sent it (unqualified fields are empty / 0)."""

    con_id: int = 0
    symbol: str = ""
    sec_type: str = ""
    last_trade_date: str = ""  # YYYYMMDD or YYYYMM
    strike: float = 0.0
    right: str = ""
    multiplier: str = ""
    exchange: str = ""
    primary_exchange: str = ""
    currency: str = ""
    local_symbol: str = ""
    trading_class: str = ""


@dataclass(frozen=True, slots=True)
class Quote:
    """Top of book and session statistics; NaN where a value does not exist."""

    bid: float
    ask: float
    bid_size: float
    ask_size: float
    last: float
    last_size: float
    volume: float
    open: float
    high: float
    low: float
    close: float  # previous session's close, as IB's tick 9
    # options only (NaN otherwise)
    implied_vol: float = float("nan")
    delta: float = float("nan")
    gamma: float = float("nan")
    vega: float = float("nan")
    theta: float = float("nan")
    und_price: float = float("nan")


@dataclass(frozen=True, slots=True)
class Bar:
    time: datetime  # tz-aware, start of the bar
    open: float
    high: float
    low: float
    close: float
    volume: float
    wap: float
    count: int


@dataclass(frozen=True, slots=True)
class HistTick:
    """One historical tick (reqHistoricalTicks): a print, a quote or a midpoint."""

    time: int  # epoch seconds
    price: float = math.nan  # a print, or the midpoint
    size: float = 0.0
    bid: float = math.nan
    ask: float = math.nan
    bid_size: float = 0.0
    ask_size: float = 0.0
    exchange: str = ""


@dataclass(frozen=True, slots=True)
class Bucket:
    """One price level of a histogram (reqHistogramData) and its volume."""

    price: float
    count: int


@dataclass(frozen=True, slots=True)
class ChainParams:
    exchange: str
    under_con_id: int
    trading_class: str
    multiplier: str
    expirations: Sequence[str]  # YYYYMMDD, sorted
    strikes: Sequence[float]  # sorted


@dataclass(frozen=True, slots=True)
class OrderSpec:
    """The parts of an IB order the simulated exchange acts on."""

    order_id: int
    client_id: int
    action: str  # BUY / SELL
    total_quantity: float
    order_type: str  # MKT, LMT, STP, STP LMT, TRAIL, TRAIL LIMIT, MOC, LOC, MIT, LIT, REL, ...
    lmt_price: float | None = None
    aux_price: float | None = None  # the stop price
    tif: str = "DAY"  # DAY, GTC, IOC, GTD
    good_till_date: str = ""  # "YYYYMMDD HH:MM:SS[ tz]"
    outside_rth: bool = False
    transmit: bool = True
    order_ref: str = ""
    account: str = ""
    parent_id: int = 0
    what_if: bool = False
    # order-type terms: aux_price is also a trigger, a trailing amount or a relative offset
    trailing_percent: float | None = None
    trail_stop_price: float | None = None  # a trailing order's current stop
    lmt_price_offset: float | None = None
    algo_strategy: str = ""
    algo_params: tuple[tuple[str, str], ...] = ()
    # One-cancels-all: orders of one group (per account) and IB's type (1 cancel, 2/3 reduce).
    oca_group: str = ""
    oca_type: int = 0


@dataclass(slots=True)
class OrderRecord:
    """An order's live state as the exchange keeps it."""

    spec: OrderSpec
    instrument: Instrument
    perm_id: int
    status: str  # PreSubmitted, Submitted, Filled, Cancelled, Inactive
    filled: float = 0.0
    remaining: float = 0.0
    avg_fill_price: float = 0.0
    last_fill_price: float = 0.0
    why_held: str = ""
    commission: float = 0.0


@dataclass(frozen=True, slots=True)
class WhatIf:
    """Margin and commission impact, as IB's OrderState strings carry them."""

    init_margin_before: str
    maint_margin_before: str
    equity_with_loan_before: str
    init_margin_change: str
    maint_margin_change: str
    equity_with_loan_change: str
    init_margin_after: str
    maint_margin_after: str
    equity_with_loan_after: str
    commission: float
    min_commission: float
    max_commission: float
    commission_currency: str = "USD"
    warning_text: str = ""


@dataclass(frozen=True, slots=True)
class Fill:
    exec_id: str  # unique, e.g. "0000e0d5.67a8b9c1.01.01"
    time: datetime
    order_id: int
    client_id: int
    perm_id: int
    instrument: Instrument
    side: str  # BOT / SLD
    shares: float
    price: float
    cum_qty: float
    avg_price: float
    order_ref: str
    account: str
    commission: float
    commission_currency: str
    realized_pnl: float  # NaN when the fill opened a position


@dataclass(frozen=True, slots=True)
class PositionRow:
    account: str
    instrument: Instrument
    position: float
    avg_cost: float  # per contract, multiplier included (IB's convention)
    market_price: float
    market_value: float
    unrealized_pnl: float
    realized_pnl: float


@dataclass(frozen=True, slots=True)
class PnlFigures:
    """IB's PnL / PnLSingle figures; NaN where IB sends none (no position)."""

    daily: float
    unrealized: float
    realized: float
    position: float = 0.0  # PnLSingle only
    value: float = 0.0  # PnLSingle only: the position's market value


@dataclass(frozen=True, slots=True)
class AccountValue:
    key: str  # NetLiquidation, TotalCashValue, BuyingPower, ...
    value: str
    currency: str  # "USD", "BASE" or ""


class OrderRejected(Exception):
    """IB code 201 (or another reject code) with IB's wording."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class UnknownOrder(Exception):
    """Cancelling an order the exchange does not know: IB code 10147."""


class HistoricalDataError(Exception):
    """A historical request IB would refuse (code 162 or 321) with IB's wording."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# Events the world pushes to every listener (the wire side fans them out to clients).
@dataclass(frozen=True, slots=True)
class OrderChanged:
    record: OrderRecord


@dataclass(frozen=True, slots=True)
class Filled:
    fill: Fill
    record: OrderRecord


@dataclass(frozen=True, slots=True)
class PortfolioChanged:
    positions: Sequence[PositionRow]
    account_values: Sequence[AccountValue]


WorldEvent = OrderChanged | Filled | PortfolioChanged
Listener = Callable[[WorldEvent], None]


@dataclass(frozen=True, slots=True)
class ScanRow:
    rank: int
    instrument: Instrument
    distance: str = ""
    benchmark: str = ""
    projection: str = ""


@dataclass(slots=True)
class ScanRequest:
    scan_code: str
    instrument: str = "STK"
    location_code: str = "STK.US.MAJOR"
    rows: int = 50
    above_price: float | None = None
    below_price: float | None = None
    above_volume: int | None = None
    market_cap_above: float | None = None
    market_cap_below: float | None = None
    filter_options: dict[str, str] = field(default_factory=dict)


class HistoryExtrasSource(Protocol):
    """Head timestamps, historical ticks and histograms (``markets.history_extras``)."""

    def head_timestamp(self, inst: Instrument, what: str, use_rth: bool) -> datetime: ...

    def ticks(
        self,
        inst: Instrument,
        start: datetime | None,
        end: datetime | None,
        now: datetime,
        count: int,
        what: str,
        use_rth: bool,
    ) -> list[HistTick]: ...

    def histogram(
        self, inst: Instrument, now: datetime, period: str, use_rth: bool
    ) -> list[Bucket]: ...


@dataclass(frozen=True, slots=True)
class Computation:
    """What one tickOptionComputation carries (NaN: IB's "unknown")."""

    implied_vol: float
    delta: float
    opt_price: float
    gamma: float
    vega: float
    theta: float
    und_price: float


class OptionAnalyticsSource(Protocol):
    """Option computations beyond the model quote (``markets.option_analytics``)."""

    def price_computations(self, inst: Instrument, quote: Quote) -> list[tuple[int, Computation]]:
        """The bid's, the ask's and the last price's implied volatility and greeks."""

    def open_interest(self, inst: Instrument) -> float: ...

    def implied_volatility(
        self, inst: Instrument, price: float, und_price: float | None
    ) -> Computation: ...

    def option_price(
        self, inst: Instrument, vol: float, und_price: float | None
    ) -> Computation: ...


class World(Protocol):
    """The simulated market, exchange and account, as the wire side uses them.

    All methods are synchronous and fast (the wire side calls them on the event loop).
    Time moves only through ``step``; the server calls it on a timer.
    """

    account: str

    def now(self) -> datetime: ...

    def step(self, seconds: float) -> None:
        """Advance simulated time: walk prices, trigger and fill resting orders, expire DAY/GTD."""

    def find(self, query: ContractQuery) -> list[Instrument]:
        """Instruments matching a client's contract as IB would (empty: error 200)."""

    def listed(self) -> list[Instrument]:
        """Every contract but options (symbol search looks through these)."""

    def optionable(self) -> set[int]:
        """The conIds of the underlyings with listed options."""

    def by_con_id(self, con_id: int) -> Instrument | None: ...

    def quote(self, con_id: int) -> Quote: ...

    def historical_bars(
        self,
        con_id: int,
        end: datetime | None,
        duration: str,
        bar_size: str,
        what_to_show: str,
        use_rth: bool,
    ) -> list[Bar]:
        """Bars for IB's duration/bar-size grammar; raises HistoricalDataError."""

    def history_extras(self) -> HistoryExtrasSource:
        """Head timestamps, historical ticks and histograms (their methods raise
        HistoricalDataError)."""

    def option_analytics(self) -> OptionAnalyticsSource:
        """Option computations: price IVs, open interest, IB's option calculators."""

    def option_params(
        self, underlying_symbol: str, underlying_con_id: int
    ) -> list[ChainParams]: ...

    def scanner_parameters_xml(self) -> str: ...

    def scan(self, request: ScanRequest) -> list[ScanRow]: ...

    def place_order(self, spec: OrderSpec, instrument: Instrument) -> OrderRecord:
        """Accept (or modify, same order_id) an order; raises OrderRejected. Fills emit events."""

    def what_if(self, spec: OrderSpec, instrument: Instrument) -> WhatIf: ...

    def cancel_order(self, order_id: int) -> OrderRecord:
        """Cancel a live order; raises UnknownOrder."""

    def global_cancel(self) -> list[OrderRecord]: ...

    def exercise(self, option: Instrument, action: int, quantity: int) -> None:
        """exerciseOptions: 1 exercise, 2 lapse; raises ``exercise.ExerciseRefused``."""

    def open_orders(self) -> list[OrderRecord]: ...

    def completed_orders(self) -> list[OrderRecord]: ...

    def fills(self) -> list[Fill]: ...

    def positions(self) -> list[PositionRow]: ...

    def account_values(self) -> list[AccountValue]: ...

    def pnl(self) -> PnlFigures:
        """The account's daily, unrealized and realized PnL (reqPnL)."""

    def pnl_single(self, con_id: int) -> PnlFigures | None:
        """One contract's position and PnL (reqPnLSingle); None for an unknown contract."""

    def add_listener(self, listener: Listener) -> None: ...

    def remove_listener(self, listener: Listener) -> None: ...

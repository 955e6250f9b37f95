"""``SimWorld``: the simulated market, exchange and paper account behind the TWS API server."""

from __future__ import annotations

import logging
import math
from datetime import UTC, date, datetime, timedelta

from adapters.simulated_gateway.markets import history, scanner
from adapters.simulated_gateway.markets.history_extras import HistoryExtras
from adapters.simulated_gateway.markets.instruments import EURUSD_CON_ID, Catalogue
from adapters.simulated_gateway.markets.market import Market
from adapters.simulated_gateway.markets.option_analytics import OptionAnalytics
from adapters.simulated_gateway.markets.options import OptionPricer
from adapters.simulated_gateway.markets.trading_calendar import EASTERN
from adapters.simulated_gateway.model import (
    AccountValue,
    Bar,
    ChainParams,
    ContractQuery,
    Fill,
    Instrument,
    Listener,
    OrderRecord,
    OrderRejected,
    OrderSpec,
    PnlFigures,
    PortfolioChanged,
    PositionRow,
    Quote,
    ScanRequest,
    ScanRow,
    WhatIf,
    WorldEvent,
)
from adapters.simulated_gateway.orders.exchange import SimulatedExchange, snapshot
from adapters.simulated_gateway.orders.exercise import exercise as book_exercise
from adapters.simulated_gateway.orders.order_history import FILLS_KEPT, FINISHED_KEPT
from adapters.simulated_gateway.orders.order_rules import DONE, LIVE
from adapters.simulated_gateway.orders.risk import RiskDesk
from adapters.simulated_gateway.portfolio.account import PaperAccount
from adapters.simulated_gateway.portfolio.account_report import account_values, position_rows
from adapters.simulated_gateway.portfolio.margin import Valuation, value_account
from adapters.simulated_gateway.portfolio.pnl import (
    DailyPnl,
    account_pnl,
    position_pnl,
    position_totals,
)

log = logging.getLogger(__name__)
_PORTFOLIO_EVERY = timedelta(seconds=1)


class SimWorld:
    """One paper account on a made-up but internally consistent market (the ``World`` port)."""

    def __init__(
        self,
        seed: int = 7,
        account: str = "DU1234567",
        start: datetime | None = None,
        cash: float = 1_000_000.0,
        finished_kept: int = FINISHED_KEPT,
        fills_kept: int = FILLS_KEPT,
    ) -> None:
        start = start or datetime.now(UTC)
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        self.account = account
        self.seed = seed
        self._start = start.replace(microsecond=0)
        self._elapsed = 0.0
        self._catalogue = Catalogue(self._today())
        self._market = Market(seed, self._start, self._catalogue)
        self._options = OptionPricer(self._market)
        self._book = PaperAccount(account, cash)
        self._risk = RiskDesk(self._quote_at, self._valuation)
        self._listeners: list[Listener] = []
        stamp = int(self._start.timestamp()) & 0xFFFF
        self._exchange = SimulatedExchange(
            self._book,
            self._quote_at,
            self._emit,
            exec_prefix=f"0000{(seed * 0x9E37) & 0xFFFF:04x}.{stamp:04x}{seed & 0xFFFF:04x}",
            perm_base=1_000_000_000 + (seed % 1000) * 1_000_000,
            check=self._risk.check,
            finished_kept=finished_kept,
            fills_kept=fills_kept,
        )
        self._fills_seen = 0
        self._last_portfolio: datetime | None = None
        self._last_marks: dict[int, float] = {}
        self._daily = DailyPnl(self._today())

    # -- time -------------------------------------------------------------------------------

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self._elapsed)

    def _today(self) -> date:
        return self.now().astimezone(EASTERN).date()

    def step(self, seconds: float) -> None:
        self._elapsed += max(seconds, 0.0)
        t = self.now()
        self._catalogue.set_today(self._today())
        self._daily.roll(
            self._today(), self._valuation, lambda: position_totals(self._book, self._mark)
        )
        self._exchange.step(t)
        self._after_change(t, throttle=self._fills_seen == self._exchange.fill_count)

    # -- contracts and prices ---------------------------------------------------------------

    def find(self, query: ContractQuery) -> list[Instrument]:
        return self._catalogue.find(query)

    def by_con_id(self, con_id: int) -> Instrument | None:
        return self._catalogue.by_con_id(con_id)

    def listed(self) -> list[Instrument]:
        """Every contract but options (symbol search looks through these)."""
        return self._catalogue.base()

    def optionable(self) -> set[int]:
        """The conIds of the underlyings with listed options."""
        return {c.underlying.con_id for c in self._catalogue.option_classes()}

    def quote(self, con_id: int) -> Quote:
        inst = self._catalogue.by_con_id(con_id)
        if inst is None:
            raise KeyError(f"No security definition has been found for conId {con_id}")
        return self._quote_at(inst, self.now())

    def _quote_at(self, inst: Instrument, t: datetime) -> Quote:
        if inst.sec_type == "OPT":
            under = self._catalogue.by_con_id(inst.under_con_id)
            assert under is not None  # options are only built on catalogued underlyings
            return self._options.quote(inst, under, t)
        return self._market.quote(inst, t)

    def _mark(self, inst: Instrument) -> float:
        q = self._quote_at(inst, self.now())
        if not (math.isnan(q.bid) or math.isnan(q.ask)):
            return round((q.bid + q.ask) / 2, 6)
        return q.last

    def _under_mark(self, inst: Instrument) -> float:
        under = self._catalogue.by_con_id(inst.under_con_id)
        return self._mark(under) if under else 0.0

    def _fx(self, currency: str) -> float:
        if currency == self._book.base_currency:
            return 1.0
        if currency == "EUR":
            fx = self._catalogue.by_con_id(EURUSD_CON_ID)
            assert fx is not None
            return self._market.mid(fx, self.now())
        return 1.0

    def historical_bars(
        self,
        con_id: int,
        end: datetime | None,
        duration: str,
        bar_size: str,
        what_to_show: str,
        use_rth: bool,
    ) -> list[Bar]:
        inst = self._catalogue.by_con_id(con_id)
        if inst is None:
            raise history.no_definition(con_id)
        source = history.BarSource(self._market, self._options, self._catalogue)
        return source.bars(inst, end or self.now(), self.now(), duration, bar_size,
                           what_to_show, use_rth)  # fmt: skip

    def history_extras(self) -> HistoryExtras:
        """Head timestamps, historical ticks and histograms of this world's instruments."""
        return HistoryExtras(self._market, self._options, self._catalogue, self._quote_at)

    def option_analytics(self) -> OptionAnalytics:
        """Option computations (price IVs, open interest, IB's calculators) at this time."""
        return OptionAnalytics(self._market, self._options, self._underlying_of, self.now)

    def _underlying_of(self, inst: Instrument) -> Instrument:
        under = self._catalogue.by_con_id(inst.under_con_id)
        assert under is not None  # options are only built on catalogued underlyings
        return under

    def option_params(self, underlying_symbol: str, underlying_con_id: int) -> list[ChainParams]:
        out = []
        for cls in self._catalogue.option_classes(underlying_symbol, underlying_con_id):
            expirations = [f"{d:%Y%m%d}" for d in cls.expirations(self._today())]
            strikes = cls.strikes()
            for exchange in cls.exchanges:
                out.append(ChainParams(exchange, cls.underlying.con_id, cls.trading_class,
                                       "100", expirations, strikes))  # fmt: skip
        return out

    def scanner_parameters_xml(self) -> str:
        return scanner.parameters_xml()

    def scan(self, request: ScanRequest) -> list[ScanRow]:
        return scanner.Scanner(self._catalogue, self._market, self._options).scan(
            request, self.now()
        )

    # -- orders -----------------------------------------------------------------------------

    def place_order(self, spec: OrderSpec, instrument: Instrument) -> OrderRecord:
        if spec.what_if:
            raise OrderRejected(201, "Order rejected - reason:What-if orders are not placed.")
        record = self._exchange.place(spec, instrument, self.now())
        self._after_change(self.now(), throttle=True)
        return record

    def what_if(self, spec: OrderSpec, instrument: Instrument) -> WhatIf:
        return self._risk.what_if(spec, instrument, self.now())

    def cancel_order(self, order_id: int) -> OrderRecord:
        return self._exchange.cancel(order_id, self.now())

    def global_cancel(self) -> list[OrderRecord]:
        return self._exchange.cancel_all()

    def open_orders(self) -> list[OrderRecord]:
        return [snapshot(w.record) for w in self._exchange.orders.values()
                if w.record.status in LIVE]  # fmt: skip

    def completed_orders(self) -> list[OrderRecord]:
        return [snapshot(w.record) for w in self._exchange.orders.values()
                if w.record.status in DONE]  # fmt: skip

    def fills(self) -> list[Fill]:
        return list(self._exchange.fills)

    def exercise(self, option: Instrument, action: int, quantity: int) -> None:
        """Exercise (1) or lapse (2) a long option position at once (real IB: overnight);
        raises ``ExerciseRefused``. Pushes the portfolio as after a fill."""
        under = self._catalogue.by_con_id(option.under_con_id) if option.under_con_id else None
        price = self._mark(under) if under is not None and under.sec_type == "IND" else 0.0
        book_exercise(self._book, option, under, action, quantity, self._today(), price)
        self._after_change(self.now(), throttle=False, booked=True)

    # -- account ----------------------------------------------------------------------------

    def positions(self) -> list[PositionRow]:
        return position_rows(self._book, self._mark)

    def account_values(self) -> list[AccountValue]:
        return account_values(self._book, self._valuation(), self._fx)

    def pnl(self) -> PnlFigures:
        return account_pnl(self._valuation(), self._daily)

    def pnl_single(self, con_id: int) -> PnlFigures | None:
        if self._catalogue.by_con_id(con_id) is None:
            return None
        return position_pnl(self._book, con_id, self._mark, self._daily)

    def _valuation(self, extra: tuple[Instrument, float, float] | None = None) -> Valuation:
        return value_account(self._book, self._mark, self._under_mark, self._fx, extra)

    # -- events -----------------------------------------------------------------------------

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _emit(self, event: WorldEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # one broken client must not stop the market
                log.exception("world listener failed on %s", type(event).__name__)

    def _after_change(self, t: datetime, throttle: bool, booked: bool = False) -> None:
        """Push the portfolio after fills (and exercises) at once, and on price moves at most
        once a second."""
        filled = booked or self._fills_seen != self._exchange.fill_count
        self._fills_seen = self._exchange.fill_count
        if not filled:
            if not throttle or not self._book.holdings:
                return
            if self._last_portfolio and t - self._last_portfolio < _PORTFOLIO_EVERY:
                return
        rows = self.positions()
        marks = {r.instrument.con_id: r.market_price for r in rows}
        if not filled and marks == self._last_marks:
            return
        self._last_marks = marks
        self._last_portfolio = t
        self._emit(PortfolioChanged(rows, self.account_values()))

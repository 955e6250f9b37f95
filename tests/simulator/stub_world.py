"""A tiny deterministic ``World`` for testing the wire side without the real market model."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from adapters.simulated_gateway.model import (
    AccountValue,
    Bar,
    ChainParams,
    ContractQuery,
    Fill,
    Filled,
    HistoricalDataError,
    Instrument,
    Listener,
    OrderChanged,
    OrderRecord,
    OrderRejected,
    OrderSpec,
    PnlFigures,
    PortfolioChanged,
    PositionRow,
    Quote,
    ScanRequest,
    ScanRow,
    UnknownOrder,
    WhatIf,
)

AAPL = Instrument(
    265598, "AAPL", "STK", "SMART", "NASDAQ", "USD", "AAPL", "NMS", long_name="APPLE INC"
)
CCJ = Instrument(5620, "CCJ", "STK", "SMART", "NYSE", "USD", "CCJ", "CCJ", long_name="CAMECO CORP")
CCJ_TSE = Instrument(
    5621, "CCJ", "STK", "SMART", "TSE", "CAD", "CCO", "CCO", long_name="CAMECO CORP"
)
SPX = Instrument(416904, "SPX", "IND", "CBOE", "CBOE", "USD", "SPX", "SPX")
EXPIRY = "20991217"
STRIKES = (150.0, 200.0, 250.0)


def _option(strike: float, right: str) -> Instrument:
    con_id = 900000 + int(strike) * 10 + (1 if right == "C" else 2)
    local = f"AAPL  991217{right}{int(strike * 1000):08d}"
    return Instrument(
        con_id,
        "AAPL",
        "OPT",
        "SMART",
        "CBOE",
        "USD",
        local,
        "AAPL",
        EXPIRY,
        strike,
        right,
        "100",
        under_con_id=AAPL.con_id,
    )


OPTIONS = [_option(k, r) for k in STRIKES for r in ("C", "P")]
ALL = [AAPL, CCJ, CCJ_TSE, SPX, *OPTIONS]
_BAR_SECONDS = {"5 secs": 5, "1 min": 60, "5 mins": 300, "1 hour": 3600, "1 day": 86400}
_DURATION_SECONDS = {"S": 1, "D": 86400, "W": 604800, "M": 2592000, "Y": 31536000}


class StubWorld:
    def __init__(self, account: str = "DU1234567") -> None:
        self.account = account
        self._now = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)
        self.prices = {
            AAPL.con_id: 200.0,
            CCJ.con_id: 50.0,
            CCJ_TSE.con_id: 70.0,
            SPX.con_id: 5800.0,
        }
        self.orders: dict[int, OrderRecord] = {}
        self._fills: list[Fill] = []
        self.position = 0.0
        self.cash = 100_000.0
        self._listeners: list[Listener] = []
        self._perm = 1000
        self.steps = 0

    def now(self) -> datetime:
        return self._now

    def step(self, seconds: float) -> None:
        self.steps += 1
        self._now += timedelta(seconds=seconds)
        self.prices[AAPL.con_id] = round(self.prices[AAPL.con_id] + 0.01, 2)
        for record in list(self.orders.values()):
            if record.status == "Submitted" and self._marketable(record):
                self._fill(record)

    def find(self, query: ContractQuery) -> list[Instrument]:
        def fits(i: Instrument) -> bool:
            return (
                (not query.con_id or i.con_id == query.con_id)
                and (not query.symbol or i.symbol == query.symbol)
                and (not query.sec_type or i.sec_type == query.sec_type)
                and (not query.currency or i.currency == query.currency)
                and (
                    not query.last_trade_date or i.last_trade_date.startswith(query.last_trade_date)
                )
                and (not query.strike or i.strike == query.strike)
                and (not query.right or i.right == query.right[0])
            )

        return [i for i in ALL if fits(i)]

    def by_con_id(self, con_id: int) -> Instrument | None:
        return next((i for i in ALL if i.con_id == con_id), None)

    def quote(self, con_id: int) -> Quote:
        nan = float("nan")
        if con_id == SPX.con_id:
            return Quote(nan, nan, nan, nan, 5800.0, nan, nan, 5790.0, 5810.0, 5780.0, 5795.0)
        if con_id in self.prices:
            p = self.prices[con_id]
            return Quote(
                p - 0.01, p + 0.01, 300, 400, p, 100, 1_000_000, p - 1, p + 2, p - 2, p - 0.5
            )
        inst = self.by_con_id(con_id)
        if inst is None:
            raise KeyError(con_id)
        mid = max(self.prices[AAPL.con_id] - inst.strike, 0.0) + 5.0
        return Quote(
            mid - 0.05,
            mid + 0.05,
            10,
            12,
            mid,
            1,
            500,
            mid,
            mid,
            mid,
            mid,
            implied_vol=0.25,
            delta=0.5,
            gamma=0.02,
            vega=0.3,
            theta=-0.05,
            und_price=self.prices[AAPL.con_id],
        )

    def historical_bars(self, con_id, end, duration, bar_size, what_to_show, use_rth) -> list[Bar]:
        if bar_size not in _BAR_SECONDS:
            raise HistoricalDataError(
                321, f"Error validating request:-'bP' : cause - Invalid bar size {bar_size}"
            )
        amount, unit = duration.split()
        span = int(amount) * _DURATION_SECONDS[unit]
        step = _BAR_SECONDS[bar_size]
        count = max(1, min(span // step, 500))
        stop = end or self._now
        base = self.prices.get(con_id, 100.0)
        return [
            Bar(
                stop - timedelta(seconds=step * (count - n)),
                base,
                base + 1,
                base - 1,
                base + 0.5,
                1000 + n,
                base,
                10,
            )
            for n in range(count)
        ]

    def option_params(self, underlying_symbol: str, underlying_con_id: int) -> list[ChainParams]:
        if underlying_symbol != "AAPL":
            return []
        return [
            ChainParams(ex, AAPL.con_id, "AAPL", "100", [EXPIRY], list(STRIKES))
            for ex in ("SMART", "CBOE")
        ]

    def scanner_parameters_xml(self) -> str:
        return "<ScanParameterResponse><ScanTypeList/></ScanParameterResponse>"

    def scan(self, request: ScanRequest) -> list[ScanRow]:
        if request.scan_code == "BAD":
            raise ValueError("unknown scan code BAD")
        return [ScanRow(0, AAPL), ScanRow(1, CCJ)][: request.rows]

    def place_order(self, spec: OrderSpec, instrument: Instrument) -> OrderRecord:
        if spec.total_quantity <= 0:
            raise OrderRejected(201, "Order rejected - reason:The order size must be positive")
        old = self.orders.get(spec.order_id)
        if old is not None:
            old.spec = spec
            old.remaining = spec.total_quantity - old.filled
            return old
        self._perm += 1
        record = OrderRecord(spec, instrument, self._perm, "Submitted", 0.0, spec.total_quantity)
        self.orders[spec.order_id] = record
        if self._marketable(record):
            self._fill(record)
        return record

    def _marketable(self, record: OrderRecord) -> bool:
        q = self.quote(record.instrument.con_id)
        spec = record.spec
        if spec.order_type == "MKT":
            return True
        price = q.ask if spec.action == "BUY" else q.bid
        return spec.lmt_price is not None and (
            price <= spec.lmt_price if spec.action == "BUY" else price >= spec.lmt_price
        )

    def _fill(self, record: OrderRecord) -> None:
        q = self.quote(record.instrument.con_id)
        buy = record.spec.action == "BUY"
        price = q.ask if buy else q.bid
        qty = record.remaining
        record.filled, record.remaining, record.status = record.spec.total_quantity, 0.0, "Filled"
        record.avg_fill_price = record.last_fill_price = price
        record.commission = 1.0
        self.position += qty if buy else -qty
        self.cash -= (qty if buy else -qty) * price + 1.0
        fill = Fill(
            f"0000e0d5.{record.perm_id:08x}.01.01",
            self._now,
            record.spec.order_id,
            record.spec.client_id,
            record.perm_id,
            record.instrument,
            "BOT" if buy else "SLD",
            qty,
            price,
            qty,
            price,
            record.spec.order_ref,
            self.account,
            1.0,
            "USD",
            float("nan"),
        )
        self._fills.append(fill)
        self._emit(Filled(fill, record))
        self._emit(PortfolioChanged(self.positions(), self.account_values()))

    def what_if(self, spec: OrderSpec, instrument: Instrument) -> WhatIf:
        change = spec.total_quantity * self.prices.get(instrument.con_id, 1.0) * 0.25
        return WhatIf(
            "0",
            "0",
            "100000",
            f"{change:.2f}",
            f"{change:.2f}",
            "0",
            f"{change:.2f}",
            f"{change:.2f}",
            "100000",
            1.0,
            1.0,
            1.0,
        )

    def cancel_order(self, order_id: int) -> OrderRecord:
        record = self.orders.get(order_id)
        if record is None or record.status != "Submitted":
            raise UnknownOrder(order_id)
        record.status = "Cancelled"
        self._emit(OrderChanged(record))
        return record

    def global_cancel(self) -> list[OrderRecord]:
        return [self.cancel_order(r.spec.order_id) for r in self.open_orders()]

    def open_orders(self) -> list[OrderRecord]:
        return [r for r in self.orders.values() if r.status == "Submitted"]

    def completed_orders(self) -> list[OrderRecord]:
        return [r for r in self.orders.values() if r.status != "Submitted"]

    def fills(self) -> list[Fill]:
        return list(self._fills)

    def positions(self) -> list[PositionRow]:
        if not self.position:
            return []
        p = self.prices[AAPL.con_id]
        return [
            PositionRow(self.account, AAPL, self.position, 200.0, p, p * self.position, 0.0, 0.0)
        ]

    def account_values(self) -> list[AccountValue]:
        return [
            AccountValue("AccountType", "INDIVIDUAL", ""),
            AccountValue(
                "NetLiquidation",
                f"{self.cash + self.position * self.prices[AAPL.con_id]:.2f}",
                "USD",
            ),
            AccountValue("TotalCashValue", f"{self.cash:.2f}", "USD"),
            AccountValue("BuyingPower", f"{self.cash * 4:.2f}", "USD"),
            AccountValue("CashBalance", f"{self.cash:.2f}", "BASE"),
            AccountValue("CashBalance", f"{self.cash:.2f}", "USD"),
        ]

    def pnl(self) -> PnlFigures:
        unrealized = (self.prices[AAPL.con_id] - 200.0) * self.position
        return PnlFigures(daily=unrealized, unrealized=unrealized, realized=0.0)

    def pnl_single(self, con_id: int) -> PnlFigures | None:
        if con_id != AAPL.con_id:
            return None
        value = self.prices[AAPL.con_id] * self.position
        unrealized = value - 200.0 * self.position
        return PnlFigures(unrealized, unrealized, 0.0, self.position, value)

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _emit(self, event) -> None:
        for listener in list(self._listeners):
            listener(event)


def with_price(world: StubWorld, con_id: int, price: float) -> StubWorld:
    world.prices[con_id] = price
    return world


__all__ = ["AAPL", "CCJ", "OPTIONS", "SPX", "StubWorld", "replace", "with_price"]

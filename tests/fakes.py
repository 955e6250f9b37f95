"""In-memory fakes of our own ports, for use-case and front-door tests.

They keep state in plain lists and dicts, record every call in ``calls``, and can be told to
fail: ``fail(method, error)`` makes the next call(s) of that method raise ``error``.
"""

from __future__ import annotations

import itertools
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec.structs

from domain.account import (
    AccountPnl,
    AccountSummary,
    AccountValue,
    PortfolioItem,
    Position,
    PositionPnl,
)
from domain.connection import ConnectionStatus, DataFarm, IbNotice
from domain.contract import Contract, ContractQuery
from domain.errors import ContractNotFound, NotConnected, OrderNotFound, UnknownAccount
from domain.executions import CompletedOrder, Execution, ExecutionQuery
from domain.gateway import GatewayStatus
from domain.history_extras import HistogramBucket, HistoricalTick, TicksQuery
from domain.market_data import Bar, HistoricalQuery, Quote
from domain.options import CandidateChain
from domain.orders import CancelResult, OpenOrder, OrderRequest, OrderResult
from domain.safety import AuditEntry, WhatIf, is_paper_account
from domain.scanner import ScannerParameters, ScanQuery, ScanResult
from tests.fake_groups import FakeGroups
from tests.fake_option_calculator import FakeOptionCalculator
from tests.fake_research import FakeResearch
from tests.fake_schedule import FakeSchedules

_QUERY_FIELDS = (
    "symbol",
    "sec_type",
    "currency",
    "primary_exchange",
    "last_trade_date_or_contract_month",
    "right",
    "trading_class",
    "local_symbol",
    "multiplier",
)


class _Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self._failures: dict[str, list[BaseException]] = {}

    def fail(self, method: str, error: BaseException, times: int = 1) -> None:
        self._failures.setdefault(method, []).extend([error] * times)

    def _record(self, method: str, *args: Any) -> None:
        self.calls.append((method, args))
        pending = self._failures.get(method)
        if pending:
            raise pending.pop(0)

    def called(self, method: str) -> list[tuple[Any, ...]]:
        return [args for name, args in self.calls if name == method]


class FakeBroker(FakeGroups, FakeResearch, FakeOptionCalculator, FakeSchedules, _Recorder):
    """A broker with an in-memory account, contracts, quotes and an order book."""

    def __init__(self, account_id: str = "DU1234567") -> None:
        super().__init__()
        self.account_id = account_id
        self.rules, self.symbols, self.schedules = {}, [], {}
        self.contracts: list[Contract] = []
        self.chains: dict[str, list[CandidateChain]] = {}
        self.quotes: dict[int, Quote] = {}
        self.bars: dict[int, list[Bar]] = {}
        self.summary = AccountSummary(account_id=account_id, account_type="INDIVIDUAL")
        self.values: list[AccountValue] = []
        self.position_list: list[Position] = []
        self.account_pnl_figures = AccountPnl(
            account_id=account_id, daily_pnl=0.0, unrealized_pnl=0.0, realized_pnl=0.0
        )
        self.scan_results: list[ScanResult] = []
        self.ticks: dict[int, list[HistoricalTick]] = {}
        self.scanner_params = ScannerParameters(
            instruments=["STK"], location_codes=["STK.US.MAJOR"], scan_codes=["MOST_ACTIVE"]
        )
        self.orders: dict[int, OrderResult] = {}
        # Fills of the fake's market orders land here (and tests add their own).
        self.execution_list: list[Execution] = []
        self.completed: list[CompletedOrder] = []
        self.order_requests: dict[int, tuple[Contract, OrderRequest]] = {}
        self.next_order_id = 1
        self.fill_market_orders = True
        self.connected = True
        self.connecting = False  # while not connected: a session attempt is under way
        self.last_error: str | None = None  # what the last failed attempt said
        self.data_farms: tuple[DataFarm, ...] = ()
        # IB's 1100 while it holds: the session is up but "degraded"
        self.connectivity_lost: IbNotice | None = None
        self.reconnects = 0
        self._perm_ids = itertools.count(1_000_000)

    def _require_connection(self) -> None:
        if not self.connected:
            raise NotConnected("Not connected to the IB Gateway (fake)", retry_after=2)

    # -- account ---------------------------------------------------------------------------
    async def account_summary(self, account_id: str | None) -> AccountSummary:
        self._record("account_summary", account_id)
        self._require_connection()
        return self.summary

    async def account_values(self, account_id: str | None) -> list[AccountValue]:
        self._record("account_values", account_id)
        self._require_connection()
        return list(self.values)

    async def positions(self, account_id: str | None) -> list[Position]:
        self._record("positions", account_id)
        self._require_connection()
        return list(self.position_list)

    async def portfolio(self, account_id: str | None) -> list[PortfolioItem]:
        self._record("portfolio", account_id)
        self._require_connection()
        return [_portfolio_item(self.account_id, p) for p in self.position_list]

    async def account_pnl(self, account_id: str | None) -> AccountPnl:
        self._record("account_pnl", account_id)
        self._require_connection()
        return self.account_pnl_figures

    async def position_pnl(self, account_id: str | None, contract_id: int) -> PositionPnl:
        """A held contract's figures from its position; a known one not held: position 0."""
        self._record("position_pnl", account_id, contract_id)
        self._require_connection()
        held = next((p for p in self.position_list if p.contract_id == contract_id), None)
        if held is None and not any(c.con_id == contract_id for c in self.contracts):
            raise ContractNotFound(f"No contract with id {contract_id} (fake)")
        return PositionPnl(
            account_id=self.account_id,
            contract_id=contract_id,
            position=held.position if held else 0.0,
            daily_pnl=held.unrealized_pnl if held else 0.0,
            unrealized_pnl=held.unrealized_pnl if held else None,
            realized_pnl=held.realized_pnl if held else None,
            market_value=held.market_value if held else 0.0,
        )

    # -- contracts -------------------------------------------------------------------------
    async def contract_details(self, query: ContractQuery) -> list[Contract]:
        self._record("contract_details", query)
        self._require_connection()
        if query.con_id:
            return [c for c in self.contracts if c.con_id == query.con_id]
        found = []
        for contract in self.contracts:
            if any(
                getattr(query, name) and getattr(query, name) != getattr(contract, name)
                for name in _QUERY_FIELDS
            ):
                continue
            if query.strike and abs(query.strike - contract.strike) > 1e-9:
                continue
            if query.exchange and query.exchange not in (contract.exchange, "SMART"):
                continue
            found.append(contract)
        return found

    async def option_chains(
        self, underlying_symbol: str, underlying_sec_type: str, underlying_con_id: int
    ) -> list[CandidateChain]:
        self._record("option_chains", underlying_symbol, underlying_sec_type, underlying_con_id)
        self._require_connection()
        return list(self.chains.get(underlying_symbol, []))

    async def qualify_options(
        self,
        underlying_symbol: str,
        chain: CandidateChain,
        expirations: list[str],
        strikes: list[float],
        rights: list[str],
    ) -> list[Contract]:
        self._record("qualify_options", underlying_symbol, chain, expirations, strikes, rights)
        self._require_connection()
        out = []
        for expiry, strike, right in itertools.product(expirations, strikes, rights):
            existing = next(
                (
                    c
                    for c in self.contracts
                    if c.sec_type == "OPT"
                    and c.symbol == underlying_symbol
                    and c.last_trade_date_or_contract_month == expiry
                    and c.strike == strike
                    and c.right == right
                    and c.trading_class == chain.trading_class
                ),
                None,
            )
            out.append(existing or _option(underlying_symbol, chain, expiry, strike, right))
        return out

    # -- market data -----------------------------------------------------------------------
    async def snapshot(self, contract: Contract) -> Quote:
        self._record("snapshot", contract)
        self._require_connection()
        quote = self.quotes.get(contract.con_id)
        if quote is None:
            return Quote(symbol=contract.symbol, timestamp=datetime.now(UTC))
        return quote

    async def historical_bars(self, contract: Contract, query: HistoricalQuery) -> list[Bar]:
        self._record("historical_bars", contract, query)
        self._require_connection()
        return list(self.bars.get(contract.con_id, []))

    async def head_timestamp(
        self, contract: Contract, what_to_show: str, use_rth: bool
    ) -> datetime:
        self._record("head_timestamp", contract, what_to_show, use_rth)
        self._require_connection()
        return datetime(2004, 1, 23, 14, 30, tzinfo=UTC)

    async def historical_ticks(
        self, contract: Contract, query: TicksQuery, end: datetime | None
    ) -> list[HistoricalTick]:
        self._record("historical_ticks", contract, query, end)
        self._require_connection()
        return list(self.ticks.get(contract.con_id, []))[: query.count]

    async def histogram(
        self, contract: Contract, period: str, use_rth: bool
    ) -> list[HistogramBucket]:
        self._record("histogram", contract, period, use_rth)
        self._require_connection()
        return [HistogramBucket(price=101.0, volume=500), HistogramBucket(price=100.0, volume=300)]

    # -- orders ----------------------------------------------------------------------------
    async def place_order(self, contract: Contract, order: OrderRequest) -> OrderResult:
        self._record("place_order", contract, order)
        self._require_connection()
        order_id = self.next_order_id
        self.next_order_id += 1
        filled = order.order_type == "MKT" and self.fill_market_orders
        price = self.quotes.get(contract.con_id)
        fill_price = (price.last_price or 0.0) if (filled and price) else 0.0
        result = OrderResult(
            order_id=order_id,
            status="Filled" if filled else "Submitted",
            filled_quantity=order.quantity if filled else 0.0,
            remaining_quantity=0.0 if filled else order.quantity,
            average_fill_price=fill_price,
            last_fill_price=fill_price,
            perm_id=next(self._perm_ids),
        )
        self.orders[order_id] = result
        self.order_requests[order_id] = (contract, order)
        if filled:
            self.execution_list.append(_execution(order_id, result, contract, order))
        return result

    async def what_if(self, contract: Contract, order: OrderRequest) -> WhatIf:
        """Commission 0.005/share (min 1 USD) and 25 % initial margin on the order's value."""
        self._record("what_if", contract, order)
        self._require_connection()
        quote = self.quotes.get(contract.con_id)
        price = order.limit_price or order.stop_price or (quote.last_price if quote else None)
        value = (price or 0.0) * order.quantity * float(contract.multiplier or 1)
        commission = max(1.0, 0.005 * order.quantity)
        return WhatIf(
            commission=commission,
            min_commission=commission,
            max_commission=commission,
            commission_currency="USD",
            init_margin_change=0.25 * value,
            init_margin_after=0.25 * value,
            maint_margin_change=0.2 * value,
            maint_margin_after=0.2 * value,
            equity_with_loan_change=-commission,
            equity_with_loan_after=100_000.0 - commission,
        )

    async def order_account(self, account_id: str | None) -> str:
        self._record("order_account", account_id)
        self._require_connection()
        if account_id and account_id != self.account_id:
            raise UnknownAccount(
                f"Account {account_id} is not managed by this IB session (fake)",
                field="account_id",
                accepted=[self.account_id],
            )
        return self.account_id

    async def account_is_live(self) -> bool:
        self._record("account_is_live")
        return not is_paper_account(self.account_id)

    async def find_order(self, client_order_id: str) -> OrderResult | None:
        self._record("find_order", client_order_id)
        self._require_connection()
        for order_id, (_, request) in self.order_requests.items():
            if request.client_order_id == client_order_id:
                return self.orders[order_id]
        return None

    async def order_status(self, order_id: int) -> OrderResult | None:
        self._record("order_status", order_id)
        self._require_connection()
        return self.orders.get(order_id)

    async def cancel_order(self, order_id: int) -> CancelResult:
        self._record("cancel_order", order_id)
        self._require_connection()
        order = self.orders.get(order_id)
        if order is None:
            raise OrderNotFound(f"No order with id {order_id} (fake)")
        if order.is_final:
            return CancelResult(
                order_id=order_id, status=order.status, message=f"Order already {order.status}"
            )
        self.orders[order_id] = msgspec.structs.replace(order, status="Cancelled")
        return CancelResult(
            order_id=order_id, status="Cancelled", message="Order cancelled successfully"
        )

    async def session_order(self, order_id: int) -> OpenOrder | None:
        self._record("session_order", order_id)
        self._require_connection()
        return self._open_order(order_id) if order_id in self.orders else None

    async def modify_order(
        self, order_id: int, contract: Contract, order: OrderRequest
    ) -> OrderResult:
        """Takes the new terms (a limit order stays working) and answers like IB."""
        self._record("modify_order", order_id, contract, order)
        self._require_connection()
        current = self.orders[order_id]
        self.order_requests[order_id] = (contract, order)
        result = msgspec.structs.replace(
            current, remaining_quantity=order.quantity - current.filled_quantity
        )
        self.orders[order_id] = result
        return result

    async def open_orders(self) -> list[OpenOrder]:
        self._record("open_orders")
        self._require_connection()
        return [self._open_order(i) for i, r in self.orders.items() if not r.is_final]

    def _open_order(self, order_id: int) -> OpenOrder:
        result = self.orders[order_id]
        contract, request = self.order_requests[order_id]
        return OpenOrder(
            order_id=order_id,
            perm_id=result.perm_id if isinstance(result.perm_id, int) else 0,
            client_id=1,
            account_id=self.account_id,
            contract_id=contract.con_id,
            symbol=contract.symbol,
            sec_type=contract.sec_type,
            action=request.action,
            order_type=request.order_type,
            quantity=request.quantity,
            limit_price=request.limit_price,
            stop_price=request.stop_price,
            time_in_force=request.time_in_force,
            good_till_date=request.effective_good_till or None,
            outside_rth=request.outside_rth,
            status=result.status,
            filled_quantity=result.filled_quantity,
            remaining_quantity=result.remaining_quantity,
            average_fill_price=result.average_fill_price,
            client_order_id=request.client_order_id,
        )

    async def executions(self, query: ExecutionQuery) -> list[Execution]:
        self._record("executions", query)
        self._require_connection()
        return [
            e
            for e in self.execution_list
            if (query.since is None or e.time >= query.since)
            and (not query.symbol or e.symbol == query.symbol)
            and (not query.side or e.side == query.side)
        ]

    async def completed_orders(self) -> list[CompletedOrder]:
        self._record("completed_orders")
        self._require_connection()
        return list(self.completed)

    # -- scanner ---------------------------------------------------------------------------
    async def scan(self, query: ScanQuery) -> list[ScanResult]:
        self._record("scan", query)
        self._require_connection()
        return list(self.scan_results[: query.rows])

    async def scanner_parameters(self) -> ScannerParameters:
        self._record("scanner_parameters")
        self._require_connection()
        return self.scanner_params

    # -- connection ------------------------------------------------------------------------
    async def connection_status(self) -> ConnectionStatus:
        self._record("connection_status")
        now = datetime(2025, 10, 5, 9, 0, tzinfo=UTC)
        return ConnectionStatus(
            connected=self.connected,
            client_id=0,
            server_version="10.19" if self.connected else None,
            connection_time=now if self.connected else None,
            connection_status="Connected" if self.connected else "Disconnected",
            connection_status_message="TWS Connection OK" if self.connected else "Not connected",
            state=(
                ("degraded" if self.connectivity_lost else "connected")
                if self.connected
                else ("connecting" if self.connecting else "disconnected")
            ),
            state_since=now,
            data_farms=self.data_farms,
            connectivity_lost=self.connectivity_lost if self.connected else None,
            last_error=None if self.connected else self.last_error,
        )

    async def reconnect(self) -> None:
        self._record("reconnect")
        self.reconnects += 1
        self.connected = True


def _portfolio_item(account_id: str, p: Position) -> PortfolioItem:
    return PortfolioItem(
        account_id=account_id,
        contract_id=p.contract_id,
        symbol=p.symbol,
        sec_type=p.asset_class,
        currency="USD",
        position=p.position,
        market_price=p.market_price,
        market_value=p.market_value,
        average_cost=p.average_cost,
        unrealized_pnl=p.unrealized_pnl,
        realized_pnl=p.realized_pnl,
        multiplier=p.multiplier,
    )


def _execution(
    order_id: int, result: OrderResult, contract: Contract, order: OrderRequest
) -> Execution:
    return Execution(
        exec_id=f"fake.{order_id:08x}.01.01",
        order_id=order_id,
        perm_id=result.perm_id if isinstance(result.perm_id, int) else 0,
        client_order_id=order.client_order_id,
        account_id="DU1234567",
        contract_id=contract.con_id,
        symbol=contract.symbol,
        sec_type=contract.sec_type,
        side=order.action,
        quantity=order.quantity,
        price=result.average_fill_price,
        time=datetime(2025, 10, 5, 14, 0, tzinfo=UTC) + timedelta(seconds=order_id),
        exchange="ISLAND",
        currency=contract.currency,
        commission=round(max(1.0, 0.005 * order.quantity), 4),
        commission_currency="USD",
        realized_pnl=None,
    )


def _option(symbol: str, chain: CandidateChain, expiry: str, strike: float, right: str) -> Contract:
    con_id = zlib.crc32(f"{symbol}|{expiry}|{strike}|{right}".encode()) % 900_000_000 + 10**8
    occ = f"{symbol:<6}{expiry[2:]}{right}{round(strike * 1000):08d}"
    return Contract(
        sec_type="OPT",
        con_id=con_id,
        symbol=symbol,
        last_trade_date_or_contract_month=expiry,
        strike=strike,
        right=right,
        multiplier=chain.multiplier if isinstance(chain.multiplier, str) else "100",
        exchange=chain.exchange,
        currency="USD",
        local_symbol=occ,
        trading_class=chain.trading_class,
    )


class FakeGateway(_Recorder):
    """A gateway runtime with a status, a log and a restart counter."""

    def __init__(self, kind: str = "simulated") -> None:
        super().__init__()
        self.kind = kind
        self.running = False
        self.restart_count = 0
        self.log_lines: list[str] = [f"line {i}" for i in range(1, 301)]
        self.started_at: datetime | None = None
        self.container_id: str | None = "a1b2c3d4e5f6"

    async def start(self) -> None:
        self._record("start")
        self.running = True
        self.started_at = datetime(2025, 10, 5, 10, 0, tzinfo=UTC)

    async def stop(self) -> None:
        self._record("stop")
        self.running = False

    async def restart(self) -> None:
        self._record("restart")
        self.running = True
        self.restart_count += 1
        self.started_at = (self.started_at or datetime.now(UTC)) + timedelta(seconds=1)

    async def status(self) -> GatewayStatus:
        self._record("status")
        return GatewayStatus(
            status="running" if self.running else "stopped",
            container_id=self.container_id,
            started_at=self.started_at,
            kind=self.kind,  # type: ignore[arg-type]
            phase="ready" if self.running else "stopped",
            restart_count=self.restart_count,
        )

    async def logs(self, tail: int) -> list[str]:
        self._record("logs", tail)
        return self.log_lines[-tail:]

    def api_endpoint(self) -> tuple[str, int]:
        return ("127.0.0.1", 4002)


class InMemoryAuditLog(_Recorder):
    """An audit trail in a list; ``fail("append", OSError(...))`` makes a write fail."""

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[AuditEntry] = []

    async def append(self, entry: AuditEntry) -> None:
        self._record("append", entry)
        self.entries.append(entry)

    async def recent(self, limit: int) -> list[AuditEntry]:
        self._record("recent", limit)
        return list(reversed(self.entries[-limit:])) if limit > 0 else []


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2025, 10, 5, 10, 20, 15, tzinfo=UTC)
        self._mono = 1000.0
        self.sleeps: list[float] = []

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)
        self._mono += seconds

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.advance(seconds)


class FakeSubscription:
    def __init__(self, feed: FakeFeed, key: tuple[Any, ...]) -> None:
        self.feed = feed
        self.key = key
        self.closed = False

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.feed.closed.append(self.key)
            self.feed.open.pop(self.key, None)


class FakeFeed(_Recorder):
    """The ``MarketFeed`` port in memory: a test pushes values with ``push(key, item)``, marks
    a feed stale or failed, and reads which subscriptions are open (``open``) or were closed.

    Keys: ``("quotes", con_id)``, ``("bars", con_id, what)``, ``("depth", con_id, rows)``,
    ``("ticks", con_id, kind)`` and ``("account",)``. ``max_lines`` plays IB's 101.
    """

    def __init__(self, *, max_lines: int = 100) -> None:
        super().__init__()
        self.max_lines = max_lines
        self.open: dict[tuple[Any, ...], Any] = {}
        self.closed: list[tuple[Any, ...]] = []
        self.opened: list[tuple[Any, ...]] = []

    async def _open(self, key: tuple[Any, ...], sink: Any) -> FakeSubscription:
        self._record("open", key)
        if key[0] == "quotes":
            lines = sum(1 for k in self.open if k[0] == "quotes")
            if lines >= self.max_lines:
                from domain.errors import LinesExhausted

                raise LinesExhausted("Max number of tickers has been reached (101)")
        self.open[key] = sink
        self.opened.append(key)
        return FakeSubscription(self, key)

    async def open_quotes(self, contract: Contract, sink: Any) -> FakeSubscription:
        return await self._open(("quotes", contract.con_id), sink)

    async def open_bars(self, contract: Contract, what_to_show: str, sink: Any) -> FakeSubscription:
        return await self._open(("bars", contract.con_id, what_to_show), sink)

    async def open_depth(self, contract: Contract, rows: int, sink: Any) -> FakeSubscription:
        return await self._open(("depth", contract.con_id, rows), sink)

    async def open_ticks(self, contract: Contract, kind: str, sink: Any) -> FakeSubscription:
        return await self._open(("ticks", contract.con_id, kind), sink)

    def open_account_events(self, sink: Any) -> FakeSubscription:
        self._record("open", ("account",))
        self.open[("account",)] = sink
        self.opened.append(("account",))
        return FakeSubscription(self, ("account",))

    def push(self, key: tuple[Any, ...], item: Any) -> None:
        self.open[key].push(item)

    def stale(self, key: tuple[Any, ...], reason: str = "connection lost") -> None:
        self.open[key].stale(reason)

    def fail(self, key: Any, error: BaseException, times: int = 1) -> None:  # type: ignore[override]
        if isinstance(key, tuple):
            sink = self.open.pop(key)
            sink.fail(error)
        else:
            super().fail(key, error, times)

"""Ports: what the core needs from the outside world, named by capability.

Adapters implement these (``adapters/ib`` the broker, ``adapters/docker`` and
``adapters/simulated_gateway`` the gateway runtime); tests implement them with fakes.
Every method may raise the errors of ``domain.errors``; none may hang: adapters bound each call.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol, TypeVar, runtime_checkable

from domain.account import (
    AccountPnl,
    AccountSummary,
    AccountValue,
    PortfolioItem,
    Position,
    PositionPnl,
)
from domain.connection import ConnectionStatus
from domain.contract import Contract, ContractQuery
from domain.errors import DomainError
from domain.executions import CompletedOrder, Execution, ExecutionQuery
from domain.gateway import GatewayStatus
from domain.history_extras import HistogramBucket, HistoricalTick, TicksQuery
from domain.journal import JournalRecord
from domain.market_data import Bar, HistoricalQuery, Quote
from domain.option_quotes import OptionGreeks
from domain.options import CandidateChain
from domain.orders import CancelResult, OpenOrder, OrderRequest, OrderResult
from domain.safety import AuditEntry, WhatIf
from domain.scanner import ScannerParameters, ScanQuery, ScanResult
from domain.streams import AccountEvent, DepthBook, RealTimeBar, TickPrint

T_contra = TypeVar("T_contra", contravariant=True)


class Broker(Protocol):
    """An IB account behind a TWS API session."""

    async def account_summary(self, account_id: str | None) -> AccountSummary: ...

    async def account_values(self, account_id: str | None) -> list[AccountValue]: ...

    async def positions(self, account_id: str | None) -> list[Position]: ...

    async def portfolio(self, account_id: str | None) -> list[PortfolioItem]:
        """The account's holdings as IB's live portfolio reports them (closed ones left out)."""
        ...

    async def account_pnl(self, account_id: str | None) -> AccountPnl:
        """IB's live daily, unrealized and realized PnL of the account."""
        ...

    async def position_pnl(self, account_id: str | None, contract_id: int) -> PositionPnl:
        """IB's live position and PnL for one contract (``ContractNotFound`` for an unknown
        contract id; position 0 for a contract the account does not hold)."""
        ...

    async def contract_details(self, query: ContractQuery) -> list[Contract]:
        """Every contract matching the query (empty list when none)."""
        ...

    async def option_chains(
        self, underlying_symbol: str, underlying_sec_type: str, underlying_con_id: int
    ) -> list[CandidateChain]: ...

    async def qualify_options(
        self,
        underlying_symbol: str,
        chain: CandidateChain,
        expirations: list[str],
        strikes: list[float],
        rights: list[str],
    ) -> list[Contract]:
        """Qualified option contracts for the combinations that exist in ``chain``."""
        ...

    async def snapshot(self, contract: Contract) -> Quote: ...

    async def historical_bars(self, contract: Contract, query: HistoricalQuery) -> list[Bar]: ...

    async def head_timestamp(
        self, contract: Contract, what_to_show: str, use_rth: bool
    ) -> datetime:
        """The earliest instant IB has data of that kind for (tz-aware)."""
        ...

    async def historical_ticks(
        self, contract: Contract, query: TicksQuery, end: datetime | None
    ) -> list[HistoricalTick]:
        """Ticks oldest first; ``end`` is used when ``query`` gives neither start nor end."""
        ...

    async def histogram(
        self, contract: Contract, period: str, use_rth: bool
    ) -> list[HistogramBucket]: ...

    async def place_order(self, contract: Contract, order: OrderRequest) -> OrderResult:
        """Send the order and return once IB acknowledged or rejected it (never queued).

        An error raised after the order was sent carries its ``order_id`` in ``details``
        (IB may have it); ``NotConnected`` without one means nothing was sent."""
        ...

    async def what_if(self, contract: Contract, order: OrderRequest) -> WhatIf:
        """IB's what-if check of the order (commission, margin impact); nothing is placed."""
        ...

    async def order_account(self, account_id: str | None) -> str:
        """The account an order for ``account_id`` goes to: that id when this session manages
        it (else ``UnknownAccount`` naming the managed ids), or the session's default account
        ("" when IB is left to choose among several)."""
        ...

    async def account_is_live(self) -> bool:
        """True when the session trades real money (not a paper account, not the simulator)."""
        ...

    async def find_order(self, client_order_id: str) -> OrderResult | None:
        """The order placed earlier with this idempotency key (IB's orderRef), if any."""
        ...

    async def order_status(self, order_id: int) -> OrderResult | None:
        """The order this session placed with that id, in its current state at IB: while it
        is open, and once filled today (None when IB knows no such order of ours)."""
        ...

    async def cancel_order(self, order_id: int) -> CancelResult: ...

    async def session_order(self, order_id: int) -> OpenOrder | None:
        """The order this session placed with that id, in the terms and state IB last reported
        (working or finished); None when this session does not know it."""
        ...

    async def modify_order(
        self, order_id: int, contract: Contract, order: OrderRequest
    ) -> OrderResult:
        """Send ``order`` as the new terms of this session's working order ``order_id`` (same
        id); return once IB reported the new terms (``OrderRejected`` when IB refused them: the
        order then keeps its old terms, or is already finished)."""
        ...

    async def open_orders(self) -> list[OpenOrder]: ...

    async def executions(self, query: ExecutionQuery) -> list[Execution]:
        """The account's executions IB reports (the current day's at least) that match the
        query's time, symbol and side, each with its commission once IB reported it."""
        ...

    async def completed_orders(self) -> list[CompletedOrder]:
        """The account's orders that are over (filled, cancelled, inactive), as IB lists them."""
        ...

    async def scan(self, query: ScanQuery) -> list[ScanResult]: ...

    async def scanner_parameters(self) -> ScannerParameters: ...

    async def connection_status(self) -> ConnectionStatus: ...

    async def reconnect(self) -> None:
        """Drop the session (if any) and connect again now."""
        ...


@runtime_checkable
class OptionCalculator(Protocol):
    """IB's option calculators (its model, not a quote); apart from ``Broker`` so that a broker
    without them still is one. Values IB could not compute are None."""

    async def implied_volatility(
        self, contract: Contract, option_price: float, underlying_price: float
    ) -> OptionGreeks:
        """The volatility at which the option is worth ``option_price``, and the greeks."""
        ...

    async def option_price(
        self, contract: Contract, volatility: float, underlying_price: float
    ) -> OptionGreeks:
        """The option's value at ``volatility`` (a yearly fraction), and the greeks."""
        ...


class StreamSink(Protocol[T_contra]):
    """Where a live feed delivers. Called on the event loop; must never block or raise."""

    def push(self, item: T_contra) -> None:
        """A new value (for quotes and depth: the whole current state, not a delta)."""
        ...

    def stale(self, reason: str) -> None:
        """What was pushed is no longer current (connection or IB's data lost); the feed
        pushes again once data flows."""
        ...

    def fail(self, error: DomainError) -> None:
        """IB ended the subscription (it sends nothing more); the feed is closed."""
        ...


class FeedSubscription(Protocol):
    def close(self) -> None:
        """Cancel at IB (if still connected) and stop delivering; idempotent."""
        ...


class MarketFeed(Protocol):
    """Live subscriptions at the broker. Each ``open_*`` holds one IB subscription (a quote
    takes one of the account's market data lines) until closed; it survives 1101 and
    reconnects (the feed says ``stale`` while data is lost and re-subscribes). ``open_*``
    raises the domain errors of the request (``LinesExhausted`` for IB's 101,
    ``ContractNotFound``, ``NotConnected``...) when IB refuses it at once."""

    async def open_quotes(self, contract: Contract, sink: StreamSink[Quote]) -> FeedSubscription:
        """Streaming quotes (``reqMktData``); each push is the full quote, with
        ``timestamp`` set to when IB's latest tick arrived."""
        ...

    async def open_bars(
        self, contract: Contract, what_to_show: str, sink: StreamSink[RealTimeBar]
    ) -> FeedSubscription:
        """5-second real-time bars (``reqRealTimeBars``)."""
        ...

    async def open_depth(
        self, contract: Contract, rows: int, sink: StreamSink[DepthBook]
    ) -> FeedSubscription:
        """The order book, ``rows`` levels a side (``reqMktDepth``)."""
        ...

    async def open_ticks(
        self, contract: Contract, kind: str, sink: StreamSink[TickPrint]
    ) -> FeedSubscription:
        """Tick-by-tick prints of one ``kind`` (``reqTickByTickData``)."""
        ...

    def open_account_events(self, sink: StreamSink[AccountEvent]) -> FeedSubscription:
        """Order status, fills, position and account-value updates of the session's
        accounts, as IB sends them."""
        ...


class GatewayRuntime(Protocol):
    """The IB Gateway process: a container, the embedded simulator, or someone else's."""

    async def start(self) -> None:
        """Start the gateway, or adopt one that already runs; return when its API accepts."""
        ...

    async def stop(self) -> None: ...

    async def restart(self) -> None: ...

    async def status(self) -> GatewayStatus: ...

    async def logs(self, tail: int) -> list[str]: ...

    def api_endpoint(self) -> tuple[str, int]:
        """Host and port of the TWS API socket the broker should connect to."""
        ...


class AuditLog(Protocol):
    """Where order actions are recorded; ``append`` returns only once the entry is durable."""

    async def append(self, entry: AuditEntry) -> None: ...

    async def recent(self, limit: int) -> list[AuditEntry]:
        """The last ``limit`` entries, newest first."""
        ...


class OrderJournal(Protocol):
    """Idempotency keys and the orders they placed, durable and shared by every process that
    trades the same account (see ``domain.journal``). Every method is bounded in time and
    raises ``JournalUnavailable`` when the store fails."""

    async def claim(
        self,
        account: str,
        key: str,
        decide: Callable[[JournalRecord | None], JournalRecord | None],
    ) -> None:
        """Read the record of (``account``, ``key``) and store what ``decide`` returns for it
        (nothing when it returns None), as one step that no other claim of the same key, in
        any process, can interleave with. ``decide`` is pure: it may run more than once."""
        ...

    async def save(self, record: JournalRecord) -> bool:
        """Store ``record`` over the one with the same account, key and attempt; False (and
        nothing written) when the key was claimed again meanwhile."""
        ...

    async def get(self, account: str, key: str) -> JournalRecord | None: ...


class Clock(Protocol):
    def now(self) -> datetime:
        """Aware UTC time."""
        ...

    def monotonic(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...

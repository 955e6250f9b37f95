"""``IbBroker``: the ``Broker`` port on ib_async, behind a connection supervisor.

    async with IbBroker(IbSettings(host="127.0.0.1", port=4002)) as broker:
        quote = await broker.snapshot(contract)

``start()`` returns at once, even when the gateway is down (the supervisor keeps trying in the
background); every call then either runs on the live session within its time limit or fails
at once with NotConnected.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from types import TracebackType

from ib_async import IB

from adapters.ib.account import IbAccount
from adapters.ib.brackets import IbOrderGroups
from adapters.ib.calls import IbCalls
from adapters.ib.contracts import ExpectedMissFilter, IbContracts
from adapters.ib.executions import IbExecutions
from adapters.ib.exercise import IbExercise
from adapters.ib.feed import IbFeed
from adapters.ib.fundamentals import IbFundamentals
from adapters.ib.history import IbHistory
from adapters.ib.history_extras import IbHistoryExtras
from adapters.ib.market_data import IbMarketData
from adapters.ib.modify import IbModify
from adapters.ib.news import IbNews
from adapters.ib.option_calculators import IbOptionCalculators
from adapters.ib.order_terms import track_order_terms
from adapters.ib.orders import IbOrders
from adapters.ib.pnl import IbPnl
from adapters.ib.research import IbResearch
from adapters.ib.scanner import IbScanner, ScannerCancelAckFilter
from adapters.ib.schedule import IbSchedules
from adapters.ib.settings import IbSettings
from adapters.ib.supervisor import ConnectionSupervisor
from adapters.ib.what_if import IbWhatIf
from adapters.ib.wsh import IbCorporateEvents
from application.clock import SystemClock
from application.ports import Clock
from domain.account import (
    AccountPnl,
    AccountSummary,
    AccountValue,
    PortfolioItem,
    Position,
    PositionPnl,
)
from domain.brackets import GroupLeg
from domain.connection import ConnectionStatus
from domain.contract import Contract, ContractQuery
from domain.executions import CompletedOrder, Execution, ExecutionQuery
from domain.exercise import ExerciseAction, ExerciseResult
from domain.fundamentals import CorporateEvent, FundamentalsReport
from domain.history_extras import HistogramBucket, HistoricalTick, TicksQuery
from domain.market_data import Bar, HistoricalQuery, Quote
from domain.market_rules import MarketRule
from domain.news import ArticleBody, NewsHeadline, NewsProvider
from domain.option_quotes import OptionGreeks
from domain.options import CandidateChain
from domain.orders import CancelResult, OpenOrder, OrderRequest, OrderResult
from domain.safety import WhatIf
from domain.scanner import ScannerParameters, ScanQuery, ScanResult
from domain.symbols import SymbolMatch
from domain.trading_hours import IbSchedule
from domain.trading_schedule import BrokerSchedule

__all__ = ["IbBroker", "IbSettings"]

_quiet_misses = ExpectedMissFilter()
_quiet_scanner_acks = ScannerCancelAckFilter()


class IbBroker:
    """An IB account behind a supervised TWS API session (IB Gateway or TWS)."""

    def __init__(
        self,
        settings: IbSettings,
        clock: Clock | None = None,
        *,
        endpoint: Callable[[], tuple[str, int]] | None = None,
        ib_factory: Callable[[], IB] = IB,
    ) -> None:
        """``endpoint`` (if given) is asked for host and port before every connection attempt,
        so a gateway that moved (a restarted container, the embedded simulator) is found."""
        self.settings = settings
        self._clock = clock or SystemClock()
        self.supervisor = ConnectionSupervisor(
            settings, clock=self._clock, endpoint=endpoint, ib_factory=ib_factory
        )
        calls = IbCalls(self.supervisor, settings)
        self._account = IbAccount(calls)
        self._pnl = IbPnl(calls, self._account)
        self._contracts = IbContracts(calls, self._clock)
        self.market_data = IbMarketData(calls, self._clock)
        # Live subscriptions (the MarketFeed port); after market_data, whose connect hook sets
        # the market data type before the feed's lines ask for data again.
        self.feed = IbFeed(
            self.supervisor, self.market_data, self._clock, open_wait=settings.stream_open_wait
        )
        self.history = IbHistory(calls, self._clock)
        self.history_extras = IbHistoryExtras(calls, self._clock, self.history.pacer)
        self.schedules = IbSchedules(calls, self._clock, self.history.pacer)
        self._orders = IbOrders(calls, self._clock)
        self._groups = IbOrderGroups(calls)
        self._what_if = IbWhatIf(calls)
        self._executions = IbExecutions(calls)
        self._modify = IbModify(calls)
        self._exercise = IbExercise(calls)
        self.supervisor.on_connect(track_order_terms)
        self._scanner = IbScanner(calls, self._clock)
        self._research = IbResearch(calls, self._clock)
        self._news = IbNews(calls, self._clock)
        self._fundamentals = IbFundamentals(calls, self._clock)
        self._corporate_events = IbCorporateEvents(calls, self._clock)
        self._calculators = IbOptionCalculators(calls)

    # -- life cycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the supervisor; it connects in the background and never gives up."""
        logging.getLogger("ib_async.wrapper").addFilter(_quiet_misses)
        logging.getLogger("ib_async.wrapper").addFilter(_quiet_scanner_acks)
        await self.supervisor.start()

    async def stop(self) -> None:
        self.feed.close_all()  # cancelled at IB while the session is still up
        await self.supervisor.stop()

    async def wait_connected(self, limit: float) -> bool:
        """True once the session is up; False after ``limit`` seconds."""
        return await self.supervisor.wait_connected(limit)

    async def __aenter__(self) -> IbBroker:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- account ----------------------------------------------------------------------------------

    async def account_summary(self, account_id: str | None) -> AccountSummary:
        return await self._account.summary(account_id)

    async def account_values(self, account_id: str | None) -> list[AccountValue]:
        return await self._account.values(account_id)

    async def positions(self, account_id: str | None) -> list[Position]:
        return await self._account.positions(account_id)

    async def portfolio(self, account_id: str | None) -> list[PortfolioItem]:
        return await self._pnl.portfolio(account_id)

    async def account_pnl(self, account_id: str | None) -> AccountPnl:
        return await self._pnl.account_pnl(account_id)

    async def position_pnl(self, account_id: str | None, contract_id: int) -> PositionPnl:
        return await self._pnl.position_pnl(account_id, contract_id)

    # -- contracts --------------------------------------------------------------------------------

    async def contract_details(self, query: ContractQuery) -> list[Contract]:
        return await self._contracts.details(query)

    async def search_symbols(self, pattern: str) -> list[SymbolMatch]:
        return await self._research.search_symbols(pattern)

    async def market_rules(self, contract: Contract) -> list[MarketRule]:
        return await self._research.market_rules(contract)

    async def trading_schedule(self, contract: Contract) -> IbSchedule:
        return await self._research.trading_schedule(contract)

    # -- company research (application.company_ports) ------------------------------------------

    async def news_providers(self) -> list[NewsProvider]:
        return await self._news.providers()

    async def news_headlines(
        self,
        contract: Contract,
        provider_codes: list[str],
        start: datetime | None,
        end: datetime | None,
        limit: int,
    ) -> list[NewsHeadline]:
        return await self._news.headlines(contract, provider_codes, start, end, limit)

    async def news_article(self, provider_code: str, article_id: str) -> ArticleBody:
        return await self._news.article(provider_code, article_id)

    async def fundamentals(self, contract: Contract, report_type: str) -> FundamentalsReport:
        return await self._fundamentals.report(contract, report_type)

    async def corporate_events(
        self, contract: Contract, start: date | None, end: date | None, limit: int
    ) -> list[CorporateEvent]:
        return await self._corporate_events.events(contract, start, end, limit)

    async def option_chains(
        self, underlying_symbol: str, underlying_sec_type: str, underlying_con_id: int
    ) -> list[CandidateChain]:
        return await self._contracts.option_chains(
            underlying_symbol, underlying_sec_type, underlying_con_id
        )

    async def qualify_options(
        self,
        underlying_symbol: str,
        chain: CandidateChain,
        expirations: list[str],
        strikes: list[float],
        rights: list[str],
    ) -> list[Contract]:
        return await self._contracts.qualify_options(
            underlying_symbol, chain, expirations, strikes, rights
        )

    # -- market data ------------------------------------------------------------------------------

    async def snapshot(self, contract: Contract) -> Quote:
        return await self.market_data.snapshot(contract)

    async def historical_bars(self, contract: Contract, query: HistoricalQuery) -> list[Bar]:
        return await self.history.bars(contract, query)

    async def head_timestamp(
        self, contract: Contract, what_to_show: str, use_rth: bool
    ) -> datetime:
        return await self.history_extras.head_timestamp(contract, what_to_show, use_rth)

    async def historical_ticks(
        self, contract: Contract, query: TicksQuery, end: datetime | None
    ) -> list[HistoricalTick]:
        return await self.history_extras.historical_ticks(contract, query, end)

    async def histogram(
        self, contract: Contract, period: str, use_rth: bool
    ) -> list[HistogramBucket]:
        return await self.history_extras.histogram(contract, period, use_rth)

    async def historical_schedule(
        self, contract: Contract, days: int, end: datetime | None, use_rth: bool
    ) -> BrokerSchedule:
        return await self.schedules.historical_schedule(contract, days, end, use_rth)

    async def implied_volatility(
        self, contract: Contract, option_price: float, underlying_price: float
    ) -> OptionGreeks:
        return await self._calculators.implied_volatility(contract, option_price, underlying_price)

    async def option_price(
        self, contract: Contract, volatility: float, underlying_price: float
    ) -> OptionGreeks:
        return await self._calculators.option_price(contract, volatility, underlying_price)

    # -- orders -----------------------------------------------------------------------------------

    async def place_order(self, contract: Contract, order: OrderRequest) -> OrderResult:
        return await self._orders.place(contract, order)

    async def what_if(self, contract: Contract, order: OrderRequest) -> WhatIf:
        return await self._what_if.what_if(contract, order)

    async def order_account(self, account_id: str | None) -> str:
        return self._account.order_account(account_id)

    async def account_is_live(self) -> bool:
        return await self._what_if.account_is_live()

    async def place_group(self, legs: list[tuple[Contract, GroupLeg]]) -> list[OrderResult]:
        return await self._groups.place_group(legs)

    async def global_cancel(self) -> None:
        await self._groups.global_cancel()

    async def exercise_option(
        self,
        contract: Contract,
        action: ExerciseAction,
        quantity: int,
        account_id: str,
        override: bool,
    ) -> ExerciseResult:
        return await self._exercise.exercise(contract, action, quantity, account_id, override)

    async def find_order(self, client_order_id: str) -> OrderResult | None:
        return await self._orders.find(client_order_id)

    async def order_status(self, order_id: int) -> OrderResult | None:
        return await self._orders.status(order_id)

    async def cancel_order(self, order_id: int) -> CancelResult:
        return await self._orders.cancel(order_id)

    async def open_orders(self) -> list[OpenOrder]:
        return await self._orders.open_orders()

    async def session_order(self, order_id: int) -> OpenOrder | None:
        return self._modify.session_order(order_id)

    async def modify_order(
        self, order_id: int, contract: Contract, order: OrderRequest
    ) -> OrderResult:
        return await self._modify.modify(order_id, contract, order)

    async def executions(self, query: ExecutionQuery) -> list[Execution]:
        return await self._executions.executions(query)

    async def completed_orders(self) -> list[CompletedOrder]:
        return await self._executions.completed_orders()

    # -- scanner ----------------------------------------------------------------------------------

    async def scan(self, query: ScanQuery) -> list[ScanResult]:
        return await self._scanner.scan(query)

    async def scanner_parameters(self) -> ScannerParameters:
        return await self._scanner.parameters()

    # -- connection -------------------------------------------------------------------------------

    async def connection_status(self) -> ConnectionStatus:
        return self.supervisor.status()

    async def reconnect(self) -> None:
        await self.supervisor.reconnect()

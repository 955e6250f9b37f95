"""The use-case services, wired to their ports: what both front doors (HTTP, MCP) call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from application.clock import SystemClock
from application.company_ports import FundamentalsBroker, NewsBroker
from application.group_ports import ExerciseBroker, OrderGroupBroker
from application.ports import (
    AuditLog,
    Broker,
    Clock,
    GatewayRuntime,
    MarketFeed,
    OptionCalculator,
    OrderJournal,
)
from application.redaction import Redactor
from application.research_ports import ResearchBroker
from application.schedule_ports import ScheduleBroker
from application.services.account import AccountService
from application.services.account_actions import AccountActions
from application.services.activity import ActivityService
from application.services.connection import ConnectionService
from application.services.contracts import ContractService
from application.services.fundamentals import FundamentalsService
from application.services.gateway import GatewayService
from application.services.group_desk import GroupDesk
from application.services.guardrails import OrderGuard
from application.services.health import HealthService
from application.services.health_monitor import HealthMonitor
from application.services.history_extras import HistoryExtrasService
from application.services.market_data import MarketDataService
from application.services.market_lines import QuoteLines
from application.services.news import NewsService
from application.services.oca_desk import OcaDesk
from application.services.option_exercise import OptionExercise
from application.services.option_quotes import OptionQuotesService
from application.services.order_desk import OrderDesk
from application.services.order_groups import GroupTrading
from application.services.order_journal import MemoryOrderJournal
from application.services.previews import PreviewBook
from application.services.recent_audit import MemoryAuditLog
from application.services.research import PriceRules, ResearchService
from application.services.scanner import ScannerService
from application.services.streams import StreamService
from application.services.subscriptions import SubscriptionBook
from application.services.trading import TradingService
from domain.safety import TradingPolicy


@dataclass(frozen=True, slots=True)
class Services:
    account: AccountService
    activity: ActivityService
    trading: TradingService
    market_data: MarketDataService
    contracts: ContractService
    scanner: ScannerService
    connection: ConnectionService
    gateway: GatewayService
    health: HealthService
    # Every order action (preview, place, cancel) goes through the desk: policy, audit trail.
    desk: OrderDesk
    policy: TradingPolicy
    # Live streams and cursor subscriptions: only with a broker feed (else None).
    streams: StreamService | None = None
    subscriptions: SubscriptionBook | None = None
    # Brackets, OCA groups, cancel-all: through the same desk (domain/brackets.py).
    groups: GroupDesk | None = None
    account_actions: AccountActions | None = None
    oca: OcaDesk | None = None
    exercise: OptionExercise | None = None
    # Head timestamps, historical ticks and histograms (research history beyond bars).
    history: HistoryExtrasService | None = None
    # Symbol search, market rules, trading hours: with a broker that offers them.
    research: ResearchService | None = None
    # News, fundamentals reports and corporate events: with a broker that offers them.
    news: NewsService | None = None
    fundamentals: FundamentalsService | None = None
    # Option chains with quotes and greeks; IB's option calculators (with a broker that has them).
    option_quotes: OptionQuotesService | None = None


@dataclass(frozen=True, slots=True)
class LiveSettings:
    """How live market data is shared (see ``QuoteLines`` and ``StreamService``)."""

    lines: int = 100
    linger: float = 60.0
    streams_per_caller: int = 8
    buffer: int = 1000
    subscription_idle: float = 300.0
    quote_timeout: float = 10.0


def build_services(
    broker: Broker,
    runtime: GatewayRuntime,
    clock: Clock | None = None,
    *,
    max_option_contracts: int = 100,
    max_bars: int = 5000,
    monitor: HealthMonitor | None = None,
    policy: TradingPolicy | None = None,
    audit: AuditLog | None = None,
    preview_ttl: float = 120.0,
    journal: OrderJournal | None = None,
    secrets: Redactor | None = None,
    feed: MarketFeed | None = None,
    live: LiveSettings | None = None,
) -> Services:
    """The services; with ``monitor``, /health readiness also reports market-data freshness.

    ``policy`` defaults to ``TradingPolicy()``, ``audit`` to an in-memory trail and
    ``journal`` (idempotency keys) to an in-memory journal. With ``feed``, snapshots are
    read from shared live lines and streams are offered (``live`` says how).
    """
    clock = clock or SystemClock()
    policy = policy or TradingPolicy()
    contracts = ContractService(broker, max_option_contracts=max_option_contracts)
    journal = journal if journal is not None else MemoryOrderJournal()
    trading = TradingService(broker, contracts, journal=journal, clock=clock)
    # Order prices are checked against the contract's market rule when the broker knows them.
    reference = broker if isinstance(broker, ResearchBroker) else None
    prices = PriceRules(reference) if reference is not None else None
    guard = OrderGuard(policy, broker, clock, prices=prices)
    previews = PreviewBook(clock, ttl_seconds=preview_ttl)
    desk = OrderDesk(
        trading=trading,
        contracts=contracts,
        broker=broker,
        guard=guard,
        previews=previews,
        audit=audit if audit is not None else MemoryAuditLog(),
        policy=policy,
        clock=clock,
        secrets=secrets,
    )
    group_broker = cast(OrderGroupBroker, broker)
    actions = AccountActions(
        desk=desk, broker=broker, groups=group_broker, guard=guard, clock=clock
    )
    exercise = OptionExercise(
        desk=desk, broker=broker, exercises=cast(ExerciseBroker, broker), contracts=contracts,
        guard=guard, journal=journal, clock=clock,
    )  # fmt: skip
    group_trading = GroupTrading(broker, group_broker, journal, clock)
    oca = OcaDesk(
        desk=desk, groups=group_trading, contracts=contracts, broker=broker, guard=guard,
        previews=previews, policy=policy,
    )  # fmt: skip
    groups = GroupDesk(
        desk=desk,
        groups=group_trading,
        contracts=contracts,
        broker=broker,
        guard=guard,
        previews=previews,
        policy=policy,
    )
    live = live or LiveSettings()
    lines = streams = subscriptions = None
    if feed is not None:
        lines = QuoteLines(feed, clock, budget=live.lines, linger=live.linger)
        streams = StreamService(
            lines, feed, contracts, clock, per_owner=live.streams_per_caller,
            buffer=live.buffer, request_timeout=live.quote_timeout,
        )  # fmt: skip
        subscriptions = SubscriptionBook(
            streams, clock, idle_ttl=live.subscription_idle, buffer=live.buffer
        )
    if monitor is not None and lines is not None:
        monitor.read_lines(lines)
    market_data = MarketDataService(
        broker, contracts, max_bars=max_bars, lines=lines, clock=clock,
        quote_timeout=live.quote_timeout,
    )  # fmt: skip
    option_quotes = OptionQuotesService(
        broker, contracts, market_data, clock, lines=lines,
        calculator=broker if isinstance(broker, OptionCalculator) else None,
        quote_timeout=live.quote_timeout, batch=min(live.lines, 50),
    )  # fmt: skip
    return Services(
        account=AccountService(broker),
        activity=ActivityService(broker),
        trading=trading,
        market_data=market_data,
        contracts=contracts,
        scanner=ScannerService(broker, clock),
        connection=ConnectionService(broker, clock),
        gateway=GatewayService(runtime, clock, read_only=policy.read_only),
        health=HealthService(broker, runtime, clock, monitor=monitor),
        desk=desk,
        policy=policy,
        streams=streams,
        subscriptions=subscriptions,
        groups=groups,
        account_actions=actions,
        oca=oca,
        exercise=exercise,
        history=HistoryExtrasService(
            broker,
            contracts,
            clock,
            schedules=broker if isinstance(broker, ScheduleBroker) else None,
        ),
        research=ResearchService(contracts, reference, clock) if reference is not None else None,
        news=NewsService(contracts, broker) if isinstance(broker, NewsBroker) else None,
        fundamentals=FundamentalsService(contracts, broker)
        if isinstance(broker, FundamentalsBroker)
        else None,
        option_quotes=option_quotes,
    )

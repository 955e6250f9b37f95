"""The use-case services, wired to their ports: what both front doors (HTTP, MCP) call."""

from __future__ import annotations

from dataclasses import dataclass

from application.clock import SystemClock
from application.ports import AuditLog, Broker, Clock, GatewayRuntime, OrderJournal
from application.redaction import Redactor
from application.services.account import AccountService
from application.services.activity import ActivityService
from application.services.connection import ConnectionService
from application.services.contracts import ContractService
from application.services.gateway import GatewayService
from application.services.guardrails import OrderGuard
from application.services.health import HealthService
from application.services.health_monitor import HealthMonitor
from application.services.market_data import MarketDataService
from application.services.order_desk import OrderDesk
from application.services.previews import PreviewBook
from application.services.recent_audit import MemoryAuditLog
from application.services.scanner import ScannerService
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
) -> Services:
    """The services; with ``monitor``, /health readiness also reports market-data freshness.

    ``policy`` defaults to ``TradingPolicy()``, ``audit`` to an in-memory trail and
    ``journal`` (idempotency keys) to an in-memory journal.
    """
    clock = clock or SystemClock()
    policy = policy or TradingPolicy()
    contracts = ContractService(broker, max_option_contracts=max_option_contracts)
    trading = TradingService(broker, contracts, journal=journal, clock=clock)
    desk = OrderDesk(
        trading=trading,
        contracts=contracts,
        broker=broker,
        guard=OrderGuard(policy, broker, clock),
        previews=PreviewBook(clock, ttl_seconds=preview_ttl),
        audit=audit if audit is not None else MemoryAuditLog(),
        policy=policy,
        clock=clock,
        secrets=secrets,
    )
    return Services(
        account=AccountService(broker),
        activity=ActivityService(broker),
        trading=trading,
        market_data=MarketDataService(broker, contracts, max_bars=max_bars),
        contracts=contracts,
        scanner=ScannerService(broker, clock),
        connection=ConnectionService(broker, clock),
        gateway=GatewayService(runtime, clock, read_only=policy.read_only),
        health=HealthService(broker, runtime, clock, monitor=monitor),
        desk=desk,
        policy=policy,
    )

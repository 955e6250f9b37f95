"""The use-case services, wired to their ports: what both front doors (HTTP, MCP) call."""

from __future__ import annotations

from dataclasses import dataclass

from application.clock import SystemClock
from application.ports import Broker, Clock, GatewayRuntime
from application.services.account import AccountService
from application.services.connection import ConnectionService
from application.services.contracts import ContractService
from application.services.gateway import GatewayService
from application.services.health import HealthService
from application.services.health_monitor import HealthMonitor
from application.services.market_data import MarketDataService
from application.services.scanner import ScannerService
from application.services.trading import TradingService


@dataclass(frozen=True, slots=True)
class Services:
    account: AccountService
    trading: TradingService
    market_data: MarketDataService
    contracts: ContractService
    scanner: ScannerService
    connection: ConnectionService
    gateway: GatewayService
    health: HealthService


def build_services(
    broker: Broker,
    runtime: GatewayRuntime,
    clock: Clock | None = None,
    *,
    max_option_contracts: int = 100,
    max_bars: int = 5000,
    monitor: HealthMonitor | None = None,
) -> Services:
    """The services; with ``monitor``, /health readiness also reports market-data freshness."""
    clock = clock or SystemClock()
    contracts = ContractService(broker, max_option_contracts=max_option_contracts)
    return Services(
        account=AccountService(broker),
        trading=TradingService(broker, contracts),
        market_data=MarketDataService(broker, contracts, max_bars=max_bars),
        contracts=contracts,
        scanner=ScannerService(broker, clock),
        connection=ConnectionService(broker, clock),
        gateway=GatewayService(runtime, clock),
        health=HealthService(broker, runtime, clock, monitor=monitor),
    )

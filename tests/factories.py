"""Seeded polyfactory factories, one per domain model the tests build at random.

Response models are built freely (any value of the declared type); request models are
pinned to valid values, since their ``__post_init__`` rejects the rest. ``reseed()`` puts
every factory back to its seed, so a test sees the same values whatever ran before it.
"""

from __future__ import annotations

from typing import Any, TypeVar

from polyfactory import Use
from polyfactory.factories.msgspec_factory import MsgspecFactory

from domain.account import AccountSummary, AccountValue, Position
from domain.connection import ConnectionStatus, ReconnectResult
from domain.contract import SEC_TYPES, Contract, ContractDetailsResult
from domain.gateway import GatewayLogs, GatewayRestartResult, GatewayStatus
from domain.health import HealthCheck, HealthReport
from domain.market_data import Bar, HistoricalData, Quote, TickersResult
from domain.options import CandidateChain, OptionChainResult
from domain.orders import ACTIONS, CancelResult, OpenOrder, OrderRequest, OrderResult
from domain.scanner import ScannerParameters, ScanResult, ScanResults

SEED = 20251005
T = TypeVar("T")


class Factory(MsgspecFactory[T]):
    __is_base_factory__ = True
    __random_seed__ = SEED


class ContractFactory(Factory[Contract]):
    combo_legs = list
    delta_neutral_contract = None
    sec_type = Use(lambda: Factory.__random__.choice(SEC_TYPES))


class ContractDetailsResultFactory(Factory[ContractDetailsResult]):
    qualified_contract = ContractFactory.build


class CandidateChainFactory(Factory[CandidateChain]): ...


class OptionChainResultFactory(Factory[OptionChainResult]):
    options_chain = Use(ContractFactory.batch, size=2)
    candidate_chains = Use(CandidateChainFactory.batch, size=2)


class QuoteFactory(Factory[Quote]): ...


class TickersResultFactory(Factory[TickersResult]):
    tickers = Use(QuoteFactory.batch, size=2)


class BarFactory(Factory[Bar]): ...


class HistoricalDataFactory(Factory[HistoricalData]):
    bars = Use(BarFactory.batch, size=3)


class OrderResultFactory(Factory[OrderResult]): ...


class CancelResultFactory(Factory[CancelResult]): ...


class OpenOrderFactory(Factory[OpenOrder]): ...


class AccountSummaryFactory(Factory[AccountSummary]): ...


class AccountValueFactory(Factory[AccountValue]): ...


class PositionFactory(Factory[Position]):
    contract_id = Use(lambda: Factory.__random__.randint(1, 10**9))
    asset_class = Use(lambda: Factory.__random__.choice(("STK", "OPT", "FUT")))


class ScanResultFactory(Factory[ScanResult]): ...


class ScanResultsFactory(Factory[ScanResults]):
    scan_results = Use(ScanResultFactory.batch, size=2)


class ScannerParametersFactory(Factory[ScannerParameters]): ...


class ConnectionStatusFactory(Factory[ConnectionStatus]): ...


class ReconnectResultFactory(Factory[ReconnectResult]): ...


class GatewayStatusFactory(Factory[GatewayStatus]): ...


class GatewayLogsFactory(Factory[GatewayLogs]): ...


class GatewayRestartResultFactory(Factory[GatewayRestartResult]): ...


class HealthCheckFactory(Factory[HealthCheck]): ...


class HealthReportFactory(Factory[HealthReport]): ...


class OrderRequestFactory(Factory[OrderRequest]):
    """Valid limit orders on a contract id (the fields a rule could reject are pinned)."""

    action = Use(lambda: Factory.__random__.choice(ACTIONS))
    quantity = Use(lambda: float(Factory.__random__.randint(1, 500)))
    order_type = "LMT"
    contract_id = Use(lambda: Factory.__random__.randint(1, 10**8))
    limit_price = Use(lambda: round(Factory.__random__.uniform(0.01, 1000), 2))
    stop_price = None
    trigger_price = trailing_amount = trailing_percent = trail_stop_price = None
    limit_offset = offset = algo = None
    time_in_force = Use(lambda: Factory.__random__.choice(("DAY", "GTC", "IOC")))
    tif = None
    good_till_date = None
    client_order_id = None
    account_id = None
    symbol = sec_type = exchange = primary_exchange = currency = None
    last_trade_date_or_contract_month = strike = right = multiplier = trading_class = None


RESPONSE_FACTORIES: tuple[type[Factory[Any]], ...] = (
    ContractFactory,
    ContractDetailsResultFactory,
    CandidateChainFactory,
    OptionChainResultFactory,
    QuoteFactory,
    TickersResultFactory,
    BarFactory,
    HistoricalDataFactory,
    OrderResultFactory,
    CancelResultFactory,
    OpenOrderFactory,
    AccountSummaryFactory,
    AccountValueFactory,
    PositionFactory,
    ScanResultFactory,
    ScanResultsFactory,
    ScannerParametersFactory,
    ConnectionStatusFactory,
    ReconnectResultFactory,
    GatewayStatusFactory,
    GatewayLogsFactory,
    GatewayRestartResultFactory,
    HealthCheckFactory,
    HealthReportFactory,
)


def reseed(seed: int = SEED) -> None:
    for factory in (Factory, *RESPONSE_FACTORIES, OrderRequestFactory):
        factory.seed_random(seed)

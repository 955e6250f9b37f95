"""An OrderDesk over the fakes, with a real JSON-lines audit file in tmp_path."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest

from adapters.audit.jsonl import JsonlAuditLog
from application.ports import AuditLog
from application.services.contracts import ContractService
from application.services.guardrails import OrderGuard
from application.services.order_desk import OrderDesk
from application.services.previews import PreviewBook
from application.services.trading import TradingService
from domain.contract import Contract
from domain.market_data import Quote
from domain.safety import AuditEntry, Caller, TradingPolicy
from tests.fakes import FakeBroker, FakeClock

AAPL = Contract(
    sec_type="STK", con_id=265598, symbol="AAPL", exchange="SMART", primary_exchange="NASDAQ",
    currency="USD",
)  # fmt: skip
AAPL_CALL = Contract(
    sec_type="OPT", con_id=700001, symbol="AAPL", last_trade_date_or_contract_month="20251219",
    strike=200.0, right="C", multiplier="100", exchange="SMART", currency="USD",
)  # fmt: skip
ES = Contract(
    sec_type="FUT", con_id=495512, symbol="ES", last_trade_date_or_contract_month="202512",
    multiplier="50", exchange="CME", currency="USD",
)  # fmt: skip
REST = Caller(name="ops", transport="rest")
AGENT = Caller(name="claude", transport="mcp")
STDIO = Caller(name="local", transport="stdio")

DeskFactory = Callable[..., OrderDesk]


@pytest.fixture
def broker() -> FakeBroker:
    fake = FakeBroker()
    fake.contracts = [AAPL, AAPL_CALL, ES]
    stamp = datetime(2025, 10, 5, 14, 0, tzinfo=UTC)
    fake.quotes = {
        AAPL.con_id: Quote(symbol="AAPL", bid=199.9, ask=200.1, last_price=200.0, timestamp=stamp),
        AAPL_CALL.con_id: Quote(symbol="AAPL", bid=4.9, ask=5.1, last_price=5.0, timestamp=stamp),
        ES.con_id: Quote(symbol="ES", last_price=6000.0, timestamp=stamp),
    }
    return fake


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def audit_path(tmp_path: Path) -> Path:
    return tmp_path / "audit" / "orders.jsonl"


@pytest.fixture
def make_desk(broker: FakeBroker, clock: FakeClock, audit_path: Path) -> DeskFactory:
    """``make_desk(policy=..., audit=...)``: a desk over the fakes; the audit defaults to the file."""

    def build(policy: TradingPolicy | None = None, audit: AuditLog | None = None) -> OrderDesk:
        policy = policy or TradingPolicy()
        contracts = ContractService(broker)
        return OrderDesk(
            trading=TradingService(broker, contracts),
            contracts=contracts,
            broker=broker,
            guard=OrderGuard(policy, broker, clock),
            previews=PreviewBook(clock, ttl_seconds=120),
            audit=audit or JsonlAuditLog(audit_path),
            policy=policy,
            clock=clock,
        )

    return build


def audit_lines(path: Path) -> list[AuditEntry]:
    """The audit file as written, oldest first."""
    if not path.exists():
        return []
    decoder = msgspec.json.Decoder(AuditEntry)
    return [decoder.decode(line) for line in path.read_bytes().splitlines()]

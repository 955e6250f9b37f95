"""An MCP server over fakes with a small, known world, and an in-memory client for it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import jsonschema
import pytest
from fastmcp import Client, FastMCP

from application.container import Services, build_services
from domain.account import AccountSummary, AccountValue, Position
from domain.contract import Contract
from domain.market_data import Bar, Quote
from domain.options import CandidateChain
from domain.safety import TradingPolicy
from domain.scanner import ScanResult
from entrypoints.mcp.server import build_mcp
from entrypoints.toolsets import select
from tests.fakes import FakeBroker, FakeClock, FakeGateway

TIMEOUT = 10
AAPL, CCJ_US, CCJ_EU = 265598, 1447060, 81540716


def stock(con_id: int, symbol: str, currency: str, primary: str) -> Contract:
    return Contract(
        sec_type="STK",
        con_id=con_id,
        symbol=symbol,
        exchange="SMART",
        primary_exchange=primary,
        currency=currency,
        local_symbol=symbol,
        trading_class=symbol,
    )


def seeded_broker() -> FakeBroker:
    broker = FakeBroker()
    broker.contracts = [
        stock(AAPL, "AAPL", "USD", "NASDAQ"),
        stock(CCJ_US, "CCJ", "USD", "NYSE"),
        stock(CCJ_EU, "CCJ", "EUR", "FWB2"),
    ]
    now = datetime(2025, 10, 5, 14, 15, 30, tzinfo=UTC)
    broker.quotes[AAPL] = Quote(
        symbol="AAPL", last_price=155.75, bid=155.7, ask=155.8, timestamp=now
    )
    broker.quotes[CCJ_US] = Quote(symbol="CCJ", last_price=80.1, timestamp=now)
    broker.bars[AAPL] = [
        Bar(
            time=f"2025-10-0{d}",
            open=150 + d,
            high=151 + d,
            low=149 + d,
            close=150.5 + d,
            volume=1000 * d,
        )
        for d in range(1, 9)
    ]
    broker.summary = AccountSummary(
        account_id="DU1234567", account_type="INDIVIDUAL", net_liquidation_value=125000.5
    )
    broker.values = [
        AccountValue(
            account_id="DU1234567", key="NetLiquidation", value="125000.5", currency="USD"
        ),
        AccountValue(account_id="DU1234567", key="CashBalance", value="25000.75", currency="USD"),
    ]
    broker.position_list = [
        Position(
            contract_id=AAPL,
            symbol="AAPL",
            position=100,
            average_cost=150.25,
            market_price=155.75,
            market_value=15575.0,
            unrealized_pnl=550.0,
            realized_pnl=0.0,
            asset_class="STK",
        )
    ]
    chain = {
        "underlying_con_id": str(CCJ_US),
        "trading_class": "CCJ",
        "expirations": ["20260213", "20260220", "20260320"],
        "strikes": [float(s) for s in range(100, 131)],
    }
    broker.chains["CCJ"] = [
        CandidateChain(exchange="SMART", **chain),
        CandidateChain(exchange="BOX", **chain),
    ]
    broker.scan_results = [
        ScanResult(contract_id=AAPL, symbol="AAPL", sec_type="STK", exchange="SMART", rank=0),
        ScanResult(contract_id=CCJ_US, symbol="CCJ", sec_type="STK", exchange="SMART", rank=1),
    ]
    return broker


@pytest.fixture
def broker() -> FakeBroker:
    return seeded_broker()


@pytest.fixture
def gateway() -> FakeGateway:
    gateway = FakeGateway(kind="docker")
    gateway.running = True
    return gateway


@pytest.fixture
def policy() -> TradingPolicy:
    """Previews off, so order tools can be exercised one call at a time; the preview flow
    (the default for agents) is tested in test_preview_tools.py."""
    return TradingPolicy(require_preview_mcp=False)


@pytest.fixture
def services(broker: FakeBroker, gateway: FakeGateway, policy: TradingPolicy) -> Services:
    return build_services(broker, gateway, FakeClock(), policy=policy)


@pytest.fixture
def mcp_limits() -> dict[str, int]:
    """Override in a test module to build the server with other limits."""
    return {}


@pytest.fixture
def mcp(services: Services, mcp_limits: dict[str, int]) -> FastMCP:
    """The full tool profile, with output schemas: every operation, every result checked."""
    return build_mcp(services, selection=select(profile="full"), output_schemas=True, **mcp_limits)


@pytest.fixture
async def client(mcp: FastMCP) -> AsyncIterator[Client]:
    # The client's own timeouts bound every request, initialisation included.
    async with Client(mcp, timeout=TIMEOUT, init_timeout=TIMEOUT) as connected:
        yield connected


@pytest.fixture
def call(client: Client) -> Callable[..., Any]:
    """``await call(tool, **args)`` -> the structured result, checked against the tool's
    advertised output schema; raises ToolError on a tool error."""
    schemas: dict[str, Any] = {}

    async def call_tool(name: str, **arguments: Any) -> dict[str, Any]:
        if not schemas:
            schemas.update({t.name: t.output_schema for t in await client.list_tools()})
        result = await client.call_tool(name, arguments, timeout=TIMEOUT)
        assert result.structured_content is not None, f"{name} gave no structured content"
        jsonschema.validate(result.structured_content, schemas[name])
        return result.structured_content

    return call_tool

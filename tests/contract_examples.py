"""The API contract's examples (ibkr-mcp-server-README.md), as data and as a seeded fake world.

Every response below is the contract's example copied value for value. ``seed`` puts the
same instruments, quotes, bars, positions, chains and scanner rows into a ``FakeBroker`` and a
``FakeGateway``, so that the contract's example requests, sent to our app, should answer
these responses.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
import msgspec.structs

from domain.account import AccountSummary, Position
from domain.contract import Contract
from domain.market_data import Bar, Quote
from domain.options import CandidateChain
from domain.scanner import ScanResult
from tests.fakes import FakeBroker, FakeGateway

_EMPTY = {
    "last_trade_date_or_contract_month": "",
    "strike": 0.0,
    "right": "",
    "multiplier": "",
    "include_expired": False,
    "sec_id_type": "",
    "sec_id": "",
    "description": "",
    "issuer_id": "",
    "combo_legs_descrip": "",
    "combo_legs": [],
    "delta_neutral_contract": None,
}


def _stock(con_id: int, symbol: str, primary: str, currency: str, trading_class: str) -> dict:
    return {
        **_EMPTY,
        "sec_type": "STK",
        "con_id": con_id,
        "symbol": symbol,
        "exchange": "SMART",
        "primary_exchange": primary,
        "currency": currency,
        "local_symbol": symbol,
        "trading_class": trading_class,
    }


def _call(con_id: int, strike: float) -> dict:
    return {
        **_EMPTY,
        "sec_type": "OPT",
        "con_id": con_id,
        "symbol": "CCJ",
        "last_trade_date_or_contract_month": "20260213",
        "strike": strike,
        "right": "C",
        "multiplier": "100",
        "exchange": "SMART",
        "primary_exchange": "",
        "currency": "USD",
        "local_symbol": f"CCJ   260213C{round(strike * 1000):08d}",
        "friendly_symbol": f"CCJ Feb13'26 {strike} CALL",
        "trading_class": "CCJ",
    }


CCJ_USD = _stock(1447060, "CCJ", "NYSE", "USD", "CCJ")
CCJ_EUR = _stock(81540716, "CCJ", "FWB2", "EUR", "XETRA")
# Not in the contract's examples as a contract, but its quote, position and bars are AAPL's.
AAPL = _stock(12345678, "AAPL", "NASDAQ", "USD", "NMS")
MSFT = _stock(23456789, "MSFT", "NASDAQ", "USD", "NMS")

EXPIRATIONS = ["20260206", "20260213", "20260220", "20260227", "20260306", "20260313",
               "20260320", "20260618", "20260918", "20261218", "20270115", "20280121"]  # fmt: skip
STRIKES = [20.0, 23.0, 25.0, 28.0, 30.0, 33.0, 35.0, 38.0, 40.0, 42.0, 45.0, 47.0, 50.0, 55.0,
           60.0, 65.0, 70.0, 75.0, *(float(s) for s in range(79, 151)), 152.5, 155.0, 157.5,
           160.0, 162.5, 165.0, 170.0, 175.0, 180.0, 185.0, 190.0, 195.0]  # fmt: skip


def _chain(exchange: str) -> dict:
    return {
        "exchange": exchange,
        "underlying_con_id": "1447060",
        "trading_class": "CCJ",
        "expirations": EXPIRATIONS,
        "strikes": STRIKES,
    }


CONTRACT_DETAILS_QUALIFIED = {"qualified_contract": CCJ_USD}
CONTRACT_DETAILS_CANDIDATES = {"candidate_contracts": [CCJ_USD, CCJ_EUR]}
# The contract's first chain example lists BOX and NASDAQOM; IB also lists the SMART chain its
# second example uses, so the seeded world has all three.
OPTIONS_CHAIN_CANDIDATES = {"candidate_chains": [_chain("BOX"), _chain("NASDAQOM")]}
OPTIONS_CHAIN_SINGLE = {"candidate_chains": [_chain("SMART")]}
OPTIONS_CHAIN_FILTERED = {"options_chain": [_call(123456789, 120.0), _call(123456790, 122.0)]}
OPTIONS_CHAIN_FILTERS = '{"expirations":["20260213"],"strikes":[120,122],"rights":["C"]}'

PLACE_ORDER_REQUEST = {
    "contract_id": 12345678,
    "order_type": "LMT",
    "action": "BUY",
    "quantity": 10,
    "limit_price": 150.25,
    "time_in_force": "DAY",
    "tif": "20241231 23:59:59",
    "outside_rth": False,
    "transmit": True,
}
PLACE_ORDER = {
    "order_id": 987654321,
    "status": "Submitted",
    "filled_quantity": 0,
    "remaining_quantity": 10,
    "average_fill_price": 0.0,
    "last_fill_price": 0.0,
    "error_message": None,
}
CANCEL_ORDER = {
    "order_id": 987654321,
    "status": "Cancelled",
    "message": "Order cancelled successfully",
}
ACCOUNT_SUMMARY = {
    "account_id": "DU1234567",
    "account_type": "INDIVIDUAL",
    "net_liquidation_value": 125000.50,
    "total_cash_value": 25000.75,
    "gross_position_value": 100000.25,
    "unrealized_pnl": 2500.00,
    "realized_pnl": 1500.50,
    "available_funds": 50000.25,
    "excess_liquidity": 52000.75,
    "buying_power": 150000.00,
    "leverage": 1.5,
}
POSITIONS = [
    {
        "contract_id": 12345678,
        "symbol": "AAPL",
        "position": 100,
        "average_cost": 150.25,
        "market_price": 155.75,
        "market_value": 15575.00,
        "unrealized_pnl": 550.00,
        "realized_pnl": 0.00,
        "asset_class": "STK",
        "expiry": None,
        "strike": None,
        "right": None,
        "multiplier": 1.0,
    }
]
SNAPSHOT = {
    "symbol": "AAPL",
    "last_price": 155.75,
    "bid": 155.70,
    "ask": 155.80,
    "bid_size": 5,
    "ask_size": 3,
    "volume": 1250000,
    "open": 154.25,
    "high": 156.10,
    "low": 153.90,
    "close": 154.50,
    "timestamp": "2025-10-05T10:15:30Z",
}
HISTORICAL = {
    "symbol": "AAPL",
    "bars": [
        {"time": "2025-10-05T09:30:00-04:00", "open": 155.25, "high": 155.40, "low": 155.10,
         "close": 155.30, "volume": 2500, "count": 125, "wap": 155.25},
        {"time": "2025-10-05T09:35:00-04:00", "open": 155.30, "high": 155.75, "low": 155.25,
         "close": 155.70, "volume": 3200, "count": 150, "wap": 155.50},
    ],
}  # fmt: skip
SCANNER = {
    "scan_results": [
        {"contract_id": 12345678, "symbol": "AAPL", "sec_type": "STK", "exchange": "SMART",
         "last_price": 155.75, "change_percent": 0.81, "volume": 1250000,
         "market_cap": 2500000000000, "pe_ratio": 28.5, "sector": "Technology"},
        {"contract_id": 23456789, "symbol": "MSFT", "sec_type": "STK", "exchange": "SMART",
         "last_price": 330.25, "change_percent": 0.45, "volume": 980000,
         "market_cap": 2450000000000, "pe_ratio": 32.1, "sector": "Technology"},
    ],
    "scan_time": "2025-10-05T10:20:15Z",
}  # fmt: skip
CONNECTION_STATUS = {
    "connected": True,
    "client_id": 0,
    "server_version": "10.19",
    "connection_time": "2025-10-05T09:00:00Z",
    "connection_status": "Connected",
    "connection_status_message": "TWS Connection OK",
}
RECONNECT = {
    "success": True,
    "message": "Reconnection initiated",
    "timestamp": "2025-10-05T10:25:00Z",
}
GATEWAY_STATUS = {
    "status": "running",
    "container_id": "a1b2c3d4e5f6",
    "started_at": "2025-10-05T10:00:00Z",
}


def _as(value: Any, type_: Any) -> Any:
    return msgspec.convert(value, type_, strict=False)


def seed(broker: FakeBroker, gateway: FakeGateway) -> None:
    """Put the contract's example world into the fakes."""
    options = [
        {k: v for k, v in c.items() if k != "friendly_symbol"}
        for c in OPTIONS_CHAIN_FILTERED["options_chain"]
    ]
    # IB's size rules (whole shares and contracts) come with every contract: an extension.
    broker.contracts = [
        msgspec.structs.replace(c, min_size=1.0, size_increment=1.0)
        for c in _as([CCJ_USD, CCJ_EUR, AAPL, MSFT, *options], list[Contract])
    ]
    broker.chains["CCJ"] = _as(
        [_chain(x) for x in ("BOX", "NASDAQOM", "SMART")], list[CandidateChain]
    )
    broker.summary = _as(ACCOUNT_SUMMARY, AccountSummary)
    broker.position_list = _as(POSITIONS, list[Position])
    broker.quotes[12345678] = msgspec.structs.replace(_as(SNAPSHOT, Quote), market_data_type="live")
    broker.bars[12345678] = _as(HISTORICAL["bars"], list[Bar])
    broker.scan_results = _as(SCANNER["scan_results"], list[ScanResult])
    broker.next_order_id = 987654321
    gateway.running = True
    gateway.started_at = datetime(2025, 10, 5, 10, 0, tzinfo=UTC)
    gateway.container_id = "a1b2c3d4e5f6"

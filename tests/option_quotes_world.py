"""A small option chain for the doors' tests: XYZ at 100, two expirations, strikes 80-124,
every option listed with a full quote (prices, volume, open interest, model greeks)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from domain.contract import Contract
from domain.market_data import Quote
from domain.options import CandidateChain
from tests.fakes import FakeBroker

XYZ = 5_550_555
EXPIRIES = ["20260213", "20260220"]
STRIKES = [float(s) for s in range(80, 125)]
NOW = datetime(2025, 10, 5, 14, 15, 30, tzinfo=UTC)


def option_id(expiry: str, strike: float, right: str) -> int:
    return 700_000_000 + EXPIRIES.index(expiry) * 10_000 + int(strike) * 10 + (right == "P")


def seed_option_chain(broker: FakeBroker) -> None:
    broker.contracts.append(
        Contract(sec_type="STK", con_id=XYZ, symbol="XYZ", exchange="SMART", currency="USD")
    )
    broker.quotes[XYZ] = Quote(symbol="XYZ", bid=99.98, ask=100.02, last_price=100.0,
                               timestamp=NOW)  # fmt: skip
    broker.chains["XYZ"] = [
        CandidateChain(
            exchange="SMART",
            underlying_con_id=str(XYZ),
            trading_class="XYZ",
            expirations=EXPIRIES,
            strikes=STRIKES,
            multiplier="100",
        )
    ]
    for expiry, strike, right in itertools.product(EXPIRIES, STRIKES, "CP"):
        con_id = option_id(expiry, strike, right)
        broker.contracts.append(
            Contract(
                sec_type="OPT",
                con_id=con_id,
                symbol="XYZ",
                exchange="SMART",
                currency="USD",
                last_trade_date_or_contract_month=expiry,
                strike=strike,
                right=right,
                multiplier="100",
                trading_class="XYZ",
                local_symbol=f"XYZ   {expiry[2:]}{right}{int(strike * 1000):08d}",
            )
        )
        moneyness = (100.0 - strike) if right == "C" else (strike - 100.0)
        mid = max(moneyness, 0.0) + 3.0 + strike / 1000
        broker.quotes[con_id] = Quote(
            symbol="XYZ", bid=round(mid - 0.05, 2), ask=round(mid + 0.05, 2),
            last_price=round(mid, 2), volume=1234.0, timestamp=NOW, market_data_type="live",
            implied_volatility=0.2345678 + strike / 10_000, delta=0.5123456 if right == "C"
            else -0.4876544, gamma=0.0312345, vega=0.1234567, theta=-0.0456789,
            underlying_price=100.0, open_interest=12_345.0,
        )  # fmt: skip

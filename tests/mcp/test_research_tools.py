"""The reference tools over the fakes: symbol search, market rules, trading hours."""

from __future__ import annotations

from domain.symbols import SymbolMatch
from domain.trading_hours import IbSchedule
from tests.fake_research import US_STOCK_RULE
from tests.fakes import FakeBroker
from tests.mcp.conftest import AAPL


async def test_the_three_reference_tools(call, broker: FakeBroker) -> None:
    broker.symbols = [SymbolMatch(con_id=AAPL, symbol="AAPL", sec_type="STK",
                                  description="APPLE INC", derivative_sec_types=["OPT"])]  # fmt: skip
    broker.rules[AAPL] = [US_STOCK_RULE]
    broker.schedules[AAPL] = IbSchedule(
        time_zone="US/Eastern",
        trading_hours="20250303:0400-20250303:2000",
        liquid_hours="20250303:0930-20250303:1600",
    )
    found = await call("search_symbols", pattern="appl")
    assert found["matches"][0]["derivative_sec_types"] == ["OPT"]
    rules = await call("get_market_rules", contract_id=AAPL)
    assert rules["rules"][0]["increments"][1] == {"low_edge": 1.0, "increment": 0.01}
    hours = await call("get_trading_hours", contract_id=AAPL, days=2)
    assert hours["time_zone"] == "US/Eastern" and len(hours["days"]) == 2

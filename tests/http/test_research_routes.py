"""The reference routes: symbol search, market rules and hours; an off-tick limit is a 400."""

from __future__ import annotations

from litestar.testing import TestClient

from domain.contract import Contract
from domain.symbols import SymbolMatch
from tests.fake_research import US_STOCK_RULE
from tests.fakes import FakeBroker

AAPL = Contract(sec_type="STK", con_id=265598, symbol="AAPL", exchange="SMART", currency="USD")


def test_search_rules_and_the_off_tick_refusal(client: TestClient, broker: FakeBroker) -> None:
    broker.contracts.append(AAPL)
    broker.symbols = [
        SymbolMatch(con_id=265598, symbol="AAPL", sec_type="STK", description="APPLE")
    ]
    broker.rules[265598] = [US_STOCK_RULE]
    found = client.get("/ibkr/contracts/search", params={"pattern": "appl"})
    assert found.status_code == 200 and found.json()["matches"][0]["con_id"] == 265598
    rules = client.get("/ibkr/contracts/265598/market_rule")
    assert rules.status_code == 200 and rules.json()["rules"][0]["rule_id"] == 26
    assert client.get("/ibkr/contracts/265598/hours").status_code == 404  # no schedule known
    placed = client.post(
        "/ibkr/orders/place",
        json={"contract_id": 265598, "action": "BUY", "quantity": 1, "order_type": "LMT",
              "limit_price": 100.123},
    )  # fmt: skip
    assert placed.status_code == 400
    assert "100.12 or 100.13" in placed.text and broker.called("place_order") == []

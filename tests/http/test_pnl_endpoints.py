"""GET /ibkr/portfolio, /ibkr/pnl and /ibkr/pnl/{contract_id} over the fakes."""

from __future__ import annotations

from litestar.testing import TestClient

from tests import contract_examples as ex
from tests.fakes import FakeBroker, FakeGateway


def test_portfolio_pnl_and_position_pnl(
    client: TestClient, broker: FakeBroker, gateway: FakeGateway
) -> None:
    ex.seed(broker, gateway)
    held = broker.position_list[0]
    portfolio = client.get("/ibkr/portfolio").json()
    assert [p["contract_id"] for p in portfolio] == [p.contract_id for p in broker.position_list]
    assert portfolio[0]["currency"] == "USD" and portfolio[0]["account_id"] == "DU1234567"
    assert client.get("/ibkr/pnl").json() == {
        "account_id": "DU1234567",
        "daily_pnl": 0.0,
        "unrealized_pnl": 0.0,
        "realized_pnl": 0.0,
    }
    single = client.get(f"/ibkr/pnl/{held.contract_id}").json()
    assert single["position"] == held.position
    assert single["unrealized_pnl"] == held.unrealized_pnl


def test_an_unknown_contract_is_404_and_a_bad_id_400(client: TestClient) -> None:
    missing = client.get("/ibkr/pnl/999999999")
    assert missing.status_code == 404 and missing.json()["code"] == "contract_not_found"
    bad = client.get("/ibkr/pnl/1e3")
    assert bad.status_code == 400 and bad.json()["field"] == "contract_id"

"""The endpoints the contract has no example for, and the parsing each controller does."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from litestar.testing import TestClient

from domain.account import AccountValue
from domain.market_data import Quote
from tests import contract_examples as ex
from tests.factories import PositionFactory, reseed
from tests.fakes import FakeBroker, FakeGateway

ORDER = {
    "contract_id": 12345678,
    "action": "BUY",
    "quantity": 10,
    "order_type": "LMT",
    "limit_price": 150,
}


@pytest.fixture(autouse=True)
def _contract_world(broker: FakeBroker, gateway: FakeGateway) -> None:
    ex.seed(broker, gateway)
    reseed()


def test_idempotency_key_header_returns_the_first_order(
    client: TestClient, broker: FakeBroker
) -> None:
    headers = {"Idempotency-Key": "order-2025-10-05-1"}
    first = client.post("/ibkr/orders/place", json=ORDER, headers=headers).json()
    again = client.post("/ibkr/orders/place", json=ORDER, headers=headers).json()
    assert again["order_id"] == first["order_id"] and again["duplicate"] is True
    assert first["client_order_id"] == "order-2025-10-05-1" and "duplicate" not in first
    assert len(broker.called("place_order")) == 1


def test_idempotency_key_with_a_different_order_is_a_409(
    client: TestClient, broker: FakeBroker
) -> None:
    headers = {"Idempotency-Key": "order-2025-10-05-2"}
    first = client.post("/ibkr/orders/place", json=ORDER, headers=headers).json()
    other = client.post(
        "/ibkr/orders/place", json={**ORDER, "quantity": ORDER["quantity"] * 10}, headers=headers
    )
    body = other.json()
    assert other.status_code == 409 and body["code"] == "idempotency_conflict"
    assert (body["order_id"], body["fields"], body["field"]) == (
        first["order_id"],
        ["quantity"],
        "client_order_id",
    )
    assert len(broker.called("place_order")) == 1


def test_an_order_for_an_account_the_session_does_not_manage_is_400(
    client: TestClient, broker: FakeBroker
) -> None:
    """Issue 12: account U9999999 was accepted and placed."""
    for path in ("/ibkr/orders/place", "/ibkr/orders/preview"):
        response = client.post(path, json={**ORDER, "account_id": "U9999999"})
        body = response.json()
        assert response.status_code == 400, body
        assert (body["code"], body["field"], body["accepted"]) == (
            "unknown_account", "account_id", ["DU1234567"])  # fmt: skip
    assert broker.called("place_order") == [] and broker.called("what_if") == []


def test_open_orders_then_cancel(client: TestClient) -> None:
    placed = client.post("/ibkr/orders/place", json=ORDER).json()
    [open_order] = client.get("/ibkr/orders/open").json()
    assert (open_order["order_id"], open_order["limit_price"]) == (placed["order_id"], 150.0)
    assert client.delete(f"/ibkr/orders/{placed['order_id']}").status_code == 200
    assert client.get("/ibkr/orders/open").json() == []


def test_positions_from_random_holdings_are_sorted(client: TestClient, broker: FakeBroker) -> None:
    broker.position_list = PositionFactory.batch(4)
    body = client.get("/ibkr/account/positions?account_id=DU9").json()
    expected = sorted(broker.position_list, key=lambda p: (p.asset_class, p.symbol, p.contract_id))
    assert [p["contract_id"] for p in body] == [p.contract_id for p in expected]
    assert broker.called("positions")[-1] == ("DU9",)


def test_account_values_with_key(client: TestClient, broker: FakeBroker) -> None:
    broker.values = [
        AccountValue(account_id="DU1234567", key=k, value="1", currency="USD")
        for k in ("NetLiquidation", "CashBalance")
    ]
    body = client.get("/ibkr/account/values?key=cash").json()
    assert body == [
        {"account_id": "DU1234567", "key": "CashBalance", "value": "1", "currency": "USD"}
    ]


def test_snapshot_by_symbol_defaults_to_smart_stock(client: TestClient, broker: FakeBroker) -> None:
    broker.quotes[81540716] = Quote(symbol="CCJ", close=41.5, timestamp=datetime.now(UTC))
    body = client.get("/ibkr/market_data/snapshot?symbol=CCJ&currency=EUR").json()
    assert body["contract_id"] == 81540716
    [(query,)] = broker.called("contract_details")
    assert (query.symbol, query.sec_type, query.exchange, query.currency) == (
        "CCJ",
        "STK",
        "SMART",
        "EUR",
    )


@pytest.mark.parametrize(
    ("sec_type", "exchange"),
    [("STK", "SMART"), ("OPT", "SMART"), ("CASH", ""), ("FUT", ""), ("IND", "")],
)
def test_snapshot_routes_through_smart_only_what_ib_routes(
    client: TestClient, broker: FakeBroker, sec_type: str, exchange: str
) -> None:
    client.get(f"/ibkr/market_data/snapshot?symbol=EUR&sec_type={sec_type}&currency=USD")
    [(query,)] = broker.called("contract_details")
    assert (query.sec_type, query.exchange) == (sec_type, exchange)


def test_tickers(client: TestClient) -> None:
    body = client.get("/ibkr/market_data/tickers?contract_ids=12345678,%2099").json()
    assert [t["contract_id"] for t in body["tickers"]] == [12345678]
    assert body["errors"] == {"99": "No contract matches contract_id 99"}


def test_historical_defaults_and_end_time(client: TestClient, broker: FakeBroker) -> None:
    url = "/ibkr/market_data/historical?contract_id=12345678&end_date_time=20251003%2016:00:00"
    assert client.get(url).status_code == 200
    [(_, query)] = broker.called("historical_bars")
    assert (query.duration, query.bar_size, query.what_to_show, query.use_rth) == (
        "1 D",
        "1 hour",
        "TRADES",
        True,
    )
    assert query.end_date_time == "20251003 16:00:00"


@pytest.mark.parametrize(
    "options",
    [
        '{"lastTradeDateOrContractMonth": "20260213", "strike": 122, "right": "C", "tradingClass": "CCJ"}',
        '{"last_trade_date_or_contract_month": "20260213", "strike": 122, "right": "CALL", "trading_class": "CCJ"}',
    ],
    ids=["camelCase", "snake_case"],
)
def test_contract_details_options_in_both_spellings(client: TestClient, options: str) -> None:
    response = client.get(
        "/ibkr/contract_details", params={"symbol": "CCJ", "sec_type": "OPT", "options": options}
    )
    assert response.status_code == 200, response.text
    contract = response.json()["qualified_contract"]
    assert (contract["con_id"], contract["friendly_symbol"]) == (
        123456790,
        "CCJ Feb13'26 122.0 CALL",
    )


def test_contract_details_by_id(client: TestClient) -> None:
    body = client.get("/ibkr/contract_details?contract_id=81540716").json()
    assert body["qualified_contract"]["primary_exchange"] == "FWB2"


def test_scanner_parameters_reach_the_scan_query(client: TestClient, broker: FakeBroker) -> None:
    url = (
        "/ibkr/scanner/results?instrument=STK&location_code=STK.US&filter_codes=priceAbove5,volume_avg_1000"
        "&above_price=5&below_price=500&above_volume=1000&market_cap_above=1e9&market_cap_below=1e13"
        "&scan_code=TOP_PERC_GAIN&rows=1"
    )
    body = client.get(url).json()
    assert (len(body["scan_results"]), body["scan_code"]) == (1, "TOP_PERC_GAIN")
    [(query,)] = broker.called("scan")
    assert query.filters == {"priceAbove": "5", "volume_avg": "1000"}
    assert (query.location_code, query.above_price, query.below_price, query.above_volume) == (
        "STK.US",
        5,
        500,
        1000,
    )
    assert (query.market_cap_above, query.market_cap_below, query.rows) == (1e9, 1e13, 1)


def test_scanner_parameters(client: TestClient) -> None:
    body = client.get("/ibkr/scanner/parameters").json()
    assert body["scan_codes"] == ["MOST_ACTIVE"]


def test_gateway_restart(client: TestClient, gateway: FakeGateway) -> None:
    response = client.post("/gateway/restart")
    assert response.status_code == 200
    assert (response.json()["success"], response.json()["restart_count"]) == (True, 1)
    assert gateway.called("restart") == [()]


def test_health_ready_and_not_ready(client: TestClient, broker: FakeBroker) -> None:
    ready = client.get("/health")
    assert (ready.status_code, ready.json()["status"]) == (200, "ok")
    broker.connected = False
    not_ready = client.get("/health")
    assert (not_ready.status_code, not_ready.json()["ready"]) == (503, False)
    assert not_ready.json()["checks"]["broker"]["ok"] is False


def test_liveness_is_up_even_when_not_ready(
    client: TestClient, gateway: FakeGateway, broker: FakeBroker
) -> None:
    gateway.running, broker.connected = False, False
    response = client.get("/health/live")
    assert (response.status_code, response.json()) == (200, {"live": True})


def test_services_are_reachable_from_app_state(client: TestClient) -> None:
    services = client.app.state.services
    assert services.trading is not None and services.health is not None


def test_tickers_take_a_list_repeated_as_well_as_comma_separated(
    client: TestClient, broker: FakeBroker
) -> None:
    # Issue 13: the repeated form (what HTTP clients make of a list) answered one ticker.
    for con_id in (1447060, 81540716):  # priced: a quote without any price is refused
        broker.quotes[con_id] = Quote(symbol="CCJ", close=41.5, timestamp=datetime.now(UTC))
    repeated = client.get("/ibkr/market_data/tickers?contract_ids=12345678&contract_ids=1447060")
    assert [t["contract_id"] for t in repeated.json()["tickers"]] == [12345678, 1447060]
    both = client.get(
        "/ibkr/market_data/tickers?contract_ids=12345678,1447060&contract_ids=81540716"
    )
    assert [t["contract_id"] for t in both.json()["tickers"]] == [12345678, 1447060, 81540716]


def test_every_list_parameter_takes_the_repeated_form(
    client: TestClient, broker: FakeBroker
) -> None:
    client.get("/ibkr/scanner/results?filter_codes=priceAbove5&filter_codes=volume_avg_1000")
    [(query,)] = broker.called("scan")
    assert query.filters == {"priceAbove": "5", "volume_avg": "1000"}


def test_an_option_is_quoted_by_symbol(client: TestClient, broker: FakeBroker) -> None:
    # Issue 13: REST lacked the option fields the MCP tool had.
    broker.quotes[123456790] = Quote(symbol="CCJ", bid=1.2, ask=1.3, timestamp=datetime.now(UTC))
    url = (
        "/ibkr/market_data/snapshot?symbol=CCJ&sec_type=OPT&currency=USD"
        "&last_trade_date_or_contract_month=20260213&strike=122&right=C"
    )
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.json()["contract_id"] == 123456790
    [(query,)] = broker.called("contract_details")
    assert (query.sec_type, query.exchange, query.strike, query.right) == ("OPT", "SMART", 122, "C")


def test_order_status_by_id(client: TestClient, broker: FakeBroker) -> None:
    placed = client.post("/ibkr/orders/place", json=ORDER).json()
    response = client.get(f"/ibkr/orders/{placed['order_id']}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["order_id"], body["status"], body["remaining_quantity"]) == (
        placed["order_id"],
        "Submitted",
        10.0,
    )
    client.delete(f"/ibkr/orders/{placed['order_id']}")
    assert client.get(f"/ibkr/orders/{placed['order_id']}").json()["status"] == "Cancelled"
    assert broker.called("order_status") == [(placed["order_id"],)] * 2


def test_order_status_of_an_unknown_order_is_404(client: TestClient) -> None:
    response = client.get("/ibkr/orders/2147483646")  # the largest id an order can have
    assert response.status_code == 404
    body = response.json()
    assert (body["code"], body["status"]) == ("order_not_found", 404)
    assert "2147483646" in body["error"]


@pytest.mark.parametrize("order_id", ["0", "-1", "2147483647", "abc", "1.5"])
def test_order_status_refuses_an_impossible_id(
    client: TestClient, broker: FakeBroker, order_id: str
) -> None:
    response = client.get(f"/ibkr/orders/{order_id}")
    assert response.status_code == 400
    assert response.json()["field"] == "order_id"
    assert broker.called("order_status") == []


def test_open_orders_and_audit_are_not_order_ids(client: TestClient) -> None:
    assert client.get("/ibkr/orders/open").status_code == 200
    assert client.get("/ibkr/orders/audit").status_code == 200


def test_an_unreachable_order_journal_is_503_with_retry_after(
    broker: FakeBroker, gateway: FakeGateway
) -> None:
    from application.container import build_services
    from entrypoints.http.app import create_http_app
    from tests.fakes import FakeClock
    from tests.unit.test_order_journal_flow import FlakyJournal

    journal = FlakyJournal()
    journal.down.add("claim")
    app = create_http_app(build_services(broker, gateway, FakeClock(), journal=journal))
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post("/ibkr/orders/place", json=ORDER, headers={"Idempotency-Key": "j-1"})
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert response.json()["code"] == "journal_unavailable"
    assert broker.called("place_order") == []

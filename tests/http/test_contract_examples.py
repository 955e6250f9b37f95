"""Each example of the API contract, sent to our app, answers the contract's keys and values.

Where we add keys the contract does not show, they are exactly the documented extensions
below; values the contract shows are kept as shown.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from litestar.testing import TestClient

from tests import contract_examples as ex
from tests.fakes import FakeBroker, FakeClock, FakeGateway

# Documented extension keys per endpoint: anything else new in a response is a contract break.
EXTENSIONS: dict[str, set[str]] = {
    # min_size, size_increment: IB's order size rules (contract details' minSize, sizeIncrement).
    "contract_details": {"min_size", "size_increment"},
    "options_chain": {"min_size", "size_increment"},
    # perm_id: IB's permanent order id; warnings: the example's tif is ignored for a DAY order.
    "place_order": {"perm_id", "warnings"},
    "cancel_order": set(),
    "account_summary": {"currency"},
    "positions": set(),
    "snapshot": {"contract_id", "market_data_type"},
    "historical": {"contract_id"},
    "scanner": {"scan_code"},
    "connection_status": {
        "state",
        "state_since",
        "last_error",
        "host",
        "port",
        "data_farms",
        "connectivity_lost",
    },
    "reconnect": set(),
    "gateway_status": {
        "kind",
        "phase",
        "image",
        "flavor",
        "mode",
        "api_host",
        "api_port",
        "ports",
        "restart_count",
        "message",
    },
    "gateway_logs": set(),
}
# Human-readable text whose wording is ours, not the contract's (the key and type are kept).
PROSE: dict[str, set[str]] = {"reconnect": {"message"}}


@pytest.fixture(autouse=True)
def _contract_world(broker: FakeBroker, gateway: FakeGateway) -> None:
    ex.seed(broker, gateway)


def assert_example(endpoint: str, actual: Any, expected: Any) -> None:
    """``actual`` has the example's keys and values, plus exactly the documented extensions."""
    if isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected)
        for got, want in zip(actual, expected, strict=True):
            assert_example(endpoint, got, want)
        return
    assert isinstance(actual, dict)
    extra = set(actual) - set(expected)
    assert extra <= EXTENSIONS[endpoint], f"undocumented keys {extra - EXTENSIONS[endpoint]}"
    for key, want in expected.items():
        assert key in actual, f"{endpoint}: missing {key}"
        got = actual[key]
        if key in PROSE.get(endpoint, set()):
            assert isinstance(got, str) and got
        elif _nested(want):
            assert_example(endpoint, got, want)
        else:
            assert got == want, f"{endpoint}.{key}: {got!r} != {want!r}"
            assert _kind(got) == _kind(want), f"{endpoint}.{key}: {got!r} is not like {want!r}"


def _nested(value: Any) -> bool:
    """Dicts, and lists of dicts, are compared key by key; lists of scalars as a whole."""
    return isinstance(value, dict) or (
        isinstance(value, list) and bool(value) and isinstance(value[0], dict)
    )


def _kind(value: Any) -> str:
    """JSON kinds: 1 and 1.0 are both numbers, but true is not a number and null is not 0."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    return "number" if isinstance(value, int | float) else type(value).__name__


def get_ok(client: TestClient, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return response.json()


def test_example_gateway_status(client: TestClient) -> None:
    assert_example("gateway_status", get_ok(client, "/gateway/status"), ex.GATEWAY_STATUS)


def test_example_gateway_logs(client: TestClient, gateway: FakeGateway) -> None:
    body = get_ok(client, "/gateway/logs?tail=100")
    assert body["lines"] == gateway.log_lines[-100:]
    assert body["tail"] == 100
    assert gateway.called("logs") == [(100,)]


def test_example_account_summary(client: TestClient) -> None:
    assert_example("account_summary", get_ok(client, "/ibkr/account/summary"), ex.ACCOUNT_SUMMARY)


def test_example_account_positions(client: TestClient) -> None:
    assert_example("positions", get_ok(client, "/ibkr/account/positions"), ex.POSITIONS)


def test_example_place_order(client: TestClient, broker: FakeBroker) -> None:
    response = client.post("/ibkr/orders/place", json=ex.PLACE_ORDER_REQUEST)
    assert response.status_code == 200, response.text
    body = response.json()
    assert_example("place_order", body, ex.PLACE_ORDER)
    assert any("GTD" in warning for warning in body["warnings"])
    [(contract, order)] = broker.called("place_order")
    assert (contract.con_id, order.order_type, order.limit_price) == (12345678, "LMT", 150.25)


def test_example_cancel_order(client: TestClient) -> None:
    assert client.post("/ibkr/orders/place", json=ex.PLACE_ORDER_REQUEST).status_code == 200
    response = client.delete("/ibkr/orders/987654321")
    assert response.status_code == 200, response.text
    assert_example("cancel_order", response.json(), ex.CANCEL_ORDER)


def test_example_market_data_snapshot(client: TestClient) -> None:
    body = get_ok(client, "/ibkr/market_data/snapshot?contract_id=12345678")
    assert_example("snapshot", body, ex.SNAPSHOT)
    assert (body["contract_id"], body["market_data_type"]) == (12345678, "live")


def test_example_market_data_historical(client: TestClient, broker: FakeBroker) -> None:
    url = (
        "/ibkr/market_data/historical?contract_id=12345678&duration=1%20D&bar_size=1%20min"
        "&what_to_show=TRADES&use_rth=true"
    )
    assert_example("historical", get_ok(client, url), ex.HISTORICAL)
    [(_, query)] = broker.called("historical_bars")
    assert (query.duration, query.bar_size, query.what_to_show, query.use_rth) == (
        "1 D",
        "1 min",
        "TRADES",
        True,
    )


def test_example_contract_details_qualified_ccj(client: TestClient) -> None:
    body = get_ok(
        client, "/ibkr/contract_details?symbol=CCJ&sec_type=STK&exchange=SMART&currency=USD"
    )
    assert_example("contract_details", body, ex.CONTRACT_DETAILS_QUALIFIED)
    rules = body["qualified_contract"]
    assert (rules["min_size"], rules["size_increment"]) == (1.0, 1.0)


def test_example_contract_details_candidates(client: TestClient) -> None:
    body = get_ok(client, "/ibkr/contract_details?symbol=CCJ&sec_type=STK&exchange=SMART")
    assert_example("contract_details", body, ex.CONTRACT_DETAILS_CANDIDATES)


CHAIN_URL = (
    "/ibkr/options_chain?underlying_symbol=CCJ&underlying_sec_type=STK&underlying_con_id=1447060"
)


def test_example_options_chain_candidate_chains_without_exchange(client: TestClient) -> None:
    chains = get_ok(client, CHAIN_URL)["candidate_chains"]
    # The contract's example shows two of the chains IB lists; the SMART one follows them.
    assert_example("options_chain", chains[:2], ex.OPTIONS_CHAIN_CANDIDATES["candidate_chains"])
    assert [c["exchange"] for c in chains] == ["BOX", "NASDAQOM", "SMART"]


def test_example_options_chain_single_chain_without_filters(client: TestClient) -> None:
    body = get_ok(client, f"{CHAIN_URL}&exchange=SMART")
    assert_example("options_chain", body, ex.OPTIONS_CHAIN_SINGLE)


def test_example_options_chain_filtered_contracts(client: TestClient) -> None:
    body = get_ok(client, f"{CHAIN_URL}&exchange=SMART&filters={ex.OPTIONS_CHAIN_FILTERS}")
    assert_example("options_chain", body, ex.OPTIONS_CHAIN_FILTERED)


def test_example_scanner_results(client: TestClient) -> None:
    body = get_ok(client, "/ibkr/scanner/results?instrument=STK&location_code=STK.US.MAJOR")
    assert_example("scanner", body, ex.SCANNER)
    assert body["scan_code"] == "MOST_ACTIVE"


def test_example_connection_status(client: TestClient) -> None:
    assert_example(
        "connection_status", get_ok(client, "/ibkr/connection/status"), ex.CONNECTION_STATUS
    )


def test_example_connection_reconnect(
    client: TestClient, broker: FakeBroker, clock: FakeClock
) -> None:
    clock.advance((datetime(2025, 10, 5, 10, 25, tzinfo=UTC) - clock.now()).total_seconds())
    response = client.post("/ibkr/connection/reconnect")
    assert response.status_code == 200, response.text
    assert_example("reconnect", response.json(), ex.RECONNECT)
    assert broker.reconnects == 1

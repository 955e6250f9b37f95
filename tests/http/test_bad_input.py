"""Bad input answers 400 in the one error shape, naming the field at fault; never a 500."""

from __future__ import annotations

from typing import Any

import msgspec.structs
import pytest
from litestar.testing import TestClient

from tests import contract_examples as ex
from tests.fakes import FakeBroker, FakeGateway

ORDER = {"contract_id": 12345678, "action": "BUY", "quantity": 10, "order_type": "MKT"}
CHAIN = {"underlying_symbol": "CCJ", "exchange": "SMART"}
DETAILS = {"symbol": "CCJ", "sec_type": "OPT"}
HISTORY = "/ibkr/market_data/historical?contract_id=12345678"


@pytest.fixture(autouse=True)
def _contract_world(broker: FakeBroker, gateway: FakeGateway) -> None:
    ex.seed(broker, gateway)


def assert_bad_request(response: Any, field: str, *words: str) -> dict[str, Any]:
    assert response.status_code == 400, response.text
    body = response.json()
    assert (body["code"], body["status"]) == ("invalid_request", 400)
    assert body["field"] == field
    assert field.split(".")[0].split("[")[0] in body["error"]
    for word in words:
        assert word in body["error"], body["error"]
    return body


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"quantity": 0}, "quantity", ("> 0",)),
        ({"order_type": "LMT"}, "limit_price", ("LMT",)),
        ({"order_type": "BRACKET"}, "order_type", ("MKT", "LMT", "STP LMT", "TRAIL")),
        ({"order_type": "TRAIL"}, "trailing_amount", ("trailing_amount or trailing_percent",)),
        ({"action": "HOLD"}, "action", ("BUY", "SELL")),
        ({"time_in_force": "GTD"}, "good_till_date", ("YYYYMMDD HH:MM:SS",)),
        ({"sec_type": "SHARES", "contract_id": None, "symbol": "AAPL"}, "sec_type", ("STK",)),
        ({"contract_id": "abc"}, "contract_id", ("int",)),
        ({"stop_loss": 1.0}, "body", ("stop_loss",)),
    ],
    ids=[
        "quantity-0",
        "lmt-no-limit",
        "order-type",
        "trail-no-distance",
        "action",
        "gtd-no-date",
        "sec-type",
        "contract-id-text",
        "unknown-key",
    ],
)
def test_place_order_rejects(
    client: TestClient, broker: FakeBroker, changes: dict, field: str, words: tuple[str, ...]
) -> None:
    order = {k: v for k, v in {**ORDER, **changes}.items() if v is not None}
    assert_bad_request(client.post("/ibkr/orders/place", json=order), field, *words)
    assert broker.called("place_order") == []


def test_unknown_order_type_lists_accepted_values(client: TestClient) -> None:
    response = client.post("/ibkr/orders/place", json={**ORDER, "order_type": "BRACKET"})
    assert assert_bad_request(response, "order_type")["accepted"] == [
        "MKT",
        "LMT",
        "STP",
        "STP LMT",
        "TRAIL",
        "TRAIL LIMIT",
        "MOC",
        "LOC",
        "MIT",
        "LIT",
        "REL",
        "MIDPRICE",
    ]


def test_invalid_body_json(client: TestClient) -> None:
    response = client.post(
        "/ibkr/orders/place",
        content=b'{"action": "BUY",',
        headers={"content-type": "application/json"},
    )
    assert_bad_request(response, "body", "not valid JSON")


def test_idempotency_key_mismatch(client: TestClient, broker: FakeBroker) -> None:
    response = client.post(
        "/ibkr/orders/place",
        json={**ORDER, "client_order_id": "key-1"},
        headers={"Idempotency-Key": "key-2"},
    )
    assert_bad_request(response, "client_order_id", "Idempotency-Key")
    assert broker.called("place_order") == []


def test_malformed_idempotency_key(client: TestClient) -> None:
    response = client.post("/ibkr/orders/place", json=ORDER, headers={"Idempotency-Key": "a b"})
    assert_bad_request(response, "Idempotency-Key")


@pytest.mark.parametrize(
    ("filters", "field", "words"),
    [
        ('{"expirations": ["20260213"]', "filters", ("JSON object",)),
        ('{"expiry": ["20260213"]}', "filters", ("expiry", "expirations", "rights")),
        ('{"strikes": ["high"]}', "filters.strikes[0]", ("float",)),
        ('{"rights": ["X"]}', "filters.rights", ("C or P",)),
        ('{"expirations": ["2026-02-13"]}', "filters.expirations", ("YYYYMMDD",)),
    ],
    ids=["malformed", "unknown-key", "strike-text", "bad-right", "bad-expiry"],
)
def test_options_chain_filters_rejected(
    client: TestClient, filters: str, field: str, words: tuple[str, ...]
) -> None:
    assert_bad_request(
        client.get("/ibkr/options_chain", params={**CHAIN, "filters": filters}), field, *words
    )


def test_unknown_filters_key_lists_accepted_keys(client: TestClient) -> None:
    body = assert_bad_request(
        client.get("/ibkr/options_chain", params={**CHAIN, "filters": '{"x": 1}'}), "filters"
    )
    assert body["accepted"] == ["trading_class", "expirations", "strikes", "rights"]


@pytest.mark.parametrize(
    ("options", "field", "words"),
    [
        ('{"strike": 120', "options", ("JSON object",)),
        ('{"expiry": "20260213"}', "options", ("expiry", "lastTradeDateOrContractMonth")),
        ('{"right": "X"}', "right", ("C or P",)),
        ('{"lastTradeDateOrContractMonth": "13-02-2026"}', "last_trade_date_or_contract_month", ()),
        (
            '{"tradingClass": "CCJ", "trading_class": "CCJW"}',
            "options.trading_class",
            ("twice",),
        ),
    ],
    ids=["malformed", "unknown-key", "bad-right", "bad-expiry", "conflicting-twins"],
)
def test_contract_details_options_rejected(
    client: TestClient, options: str, field: str, words: tuple[str, ...]
) -> None:
    assert_bad_request(
        client.get("/ibkr/contract_details", params={**DETAILS, "options": options}), field, *words
    )


def test_unknown_sec_type(client: TestClient) -> None:
    body = assert_bad_request(
        client.get("/ibkr/contract_details?symbol=CCJ&sec_type=SHARE"), "sec_type"
    )
    assert "STK" in body["accepted"]


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("&bar_size=7%20mins", "bar_size", ("5 mins", "1 day")),
        ("&duration=1%20day", "duration", ("S", "D", "W", "M", "Y")),
        ("&duration=D", "duration", ("<integer> <unit>",)),
        ("&what_to_show=PRICES", "what_to_show", ("TRADES", "MIDPOINT")),
        ("&use_rth=maybe", "use_rth", ()),
        ("&end_date_time=yesterday", "end_date_time", ("YYYYMMDD HH:MM:SS",)),
    ],
    ids=["bar-size", "duration-unit", "duration-grammar", "what-to-show", "use-rth", "end-time"],
)
def test_historical_rejects(
    client: TestClient, query: str, field: str, words: tuple[str, ...]
) -> None:
    assert_bad_request(client.get(HISTORY + query), field, *words)


@pytest.mark.parametrize("tail", ["-1", "0", "5001", "ten"])
def test_gateway_logs_tail_out_of_bounds(
    client: TestClient, gateway: FakeGateway, tail: str
) -> None:
    assert_bad_request(client.get(f"/gateway/logs?tail={tail}"), "tail")
    assert gateway.called("logs") == []


@pytest.mark.parametrize(
    "url",
    [
        "/ibkr/market_data/snapshot?contract_id=AAPL",
        "/ibkr/market_data/historical?contract_id=12x",
        "/ibkr/contract_details?contract_id=1.5",
        "/ibkr/contract_details?contract_id=99999999999999999999",
    ],
)
def test_non_numeric_or_huge_contract_id_in_query(client: TestClient, url: str) -> None:
    assert_bad_request(client.get(url), "contract_id", "int")


@pytest.mark.parametrize("order_id", ["abc", "12.5", "0", "-3", "2147483648", "2147483647"])
def test_bad_order_id_in_path(client: TestClient, broker: FakeBroker, order_id: str) -> None:
    # 2147483647 (2**31 - 1) is ib_async's "unset" id: asked for, IB never answers (504).
    assert_bad_request(client.delete(f"/ibkr/orders/{order_id}"), "order_id")
    assert broker.called("cancel_order") == []


def test_the_largest_ib_order_id_is_asked_for(client: TestClient, broker: FakeBroker) -> None:
    assert client.delete("/ibkr/orders/2147483646").status_code == 404  # the fake knows none
    assert broker.called("cancel_order") == [(2147483646,)]


@pytest.mark.parametrize(
    ("ids", "words"),
    [
        ("1,two,3", ("two",)),
        ("1,-2", ("-2",)),
        ("3,99999999999", ("99999999999",)),
        (",".join(str(i) for i in range(1, 52)), ("At most 50",)),
        ("", ()),
    ],
)
def test_tickers_rejects(client: TestClient, ids: str, words: tuple[str, ...]) -> None:
    assert_bad_request(
        client.get("/ibkr/market_data/tickers", params={"contract_ids": ids}),
        "contract_ids",
        *words,
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("filter_codes=priceAbove", "filter_codes"),
        ("above_price=10&below_price=5", "above_price"),
        ("rows=0", "rows"),
        ("above_volume=-5", "above_volume"),
    ],
)
def test_scanner_rejects(client: TestClient, query: str, field: str) -> None:
    assert_bad_request(client.get(f"/ibkr/scanner/results?{query}"), field)


def test_snapshot_without_a_contract(client: TestClient) -> None:
    assert_bad_request(client.get("/ibkr/market_data/snapshot"), "symbol", "contract_id")


def test_empty_body_says_an_object_is_required(client: TestClient) -> None:
    response = client.post(
        "/ibkr/orders/place", content=b"", headers={"content-type": "application/json"}
    )
    assert_bad_request(response, "body", "JSON object is required")


@pytest.mark.parametrize("path", ["/ibkr/orders/place", "/ibkr/orders/preview"])
@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        # Strictly typed: Litestar's lax decoding used to turn "1" into 1.0 and place it.
        ({"quantity": "1"}, "quantity", ("got `str`",)),
        ({"quantity": "10"}, "quantity", ("got `str`",)),
        ({"order_type": "LMT", "limit_price": "150.25"}, "limit_price", ("got `str`",)),
        ({"transmit": "false"}, "transmit", ("got `str`",)),
        ({"contract_id": "12345678"}, "contract_id", ("got `str`",)),
        # Meaningful: AAPL (no size rule from IB) trades in whole shares.
        ({"quantity": 1e-30}, "quantity", ("1e-30", "minimum size 1", "multiple of 1")),
        ({"quantity": 1.5}, "quantity", ("1.5", "size increment 1", "whole units")),
    ],
    ids=[
        "quantity-text",
        "quantity-text-10",
        "limit-text",
        "transmit-text",
        "contract-id-text",
        "quantity-1e-30",
        "quantity-1.5",
    ],
)
def test_order_bodies_are_strictly_typed_and_quantities_meaningful(
    client: TestClient,
    broker: FakeBroker,
    path: str,
    changes: dict,
    field: str,
    words: tuple[str, ...],
) -> None:
    assert_bad_request(client.post(path, json={**ORDER, **changes}), field, *words)
    assert broker.called("place_order") == [] and broker.called("what_if") == []


def test_a_contract_that_allows_fractions_takes_them(
    client: TestClient, broker: FakeBroker
) -> None:
    broker.contracts = [
        msgspec.structs.replace(c, size_increment=0.0001, min_size=0.0001)
        if c.con_id == ORDER["contract_id"]
        else c
        for c in broker.contracts
    ]
    response = client.post("/ibkr/orders/place", json={**ORDER, "quantity": 0.5})
    assert response.status_code == 200, response.text
    [(_, order)] = broker.called("place_order")
    assert order.quantity == 0.5


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        # An explicit null once meant "the default": a null order_type placed a MKT order.
        (b'{"contract_id":12345678,"action":"BUY","quantity":1,"order_type":null}', "null"),
        (b'{"contract_id":12345678,"action":"BUY","quantity":1,"transmit":null}', "null"),
        # Parsers disagree on which of two values wins: the order must not be read two ways.
        (b'{"contract_id":12345678,"action":"SELL","quantity":1,"action":"BUY"}', "twice"),
        (b'{"contract_id":12345678,"action":"BUY","quantity":1,"quantity":1000}', "twice"),
        # Invalid UTF-8 inside a string was a 500.
        (b'{"contract_id":12345678,"action":"BUY","quantity":1,"symbol":"\xff"}', "JSON"),
        (b'{"contract_id":12345678,"action":"BUY","quantity":1e400}', "JSON"),
        (b'{"contract_id":12345678,"action":"BUY","quantity":1,"client_order_id":"k\\n"}',
         "control"),
    ],
    ids=["null-order-type", "null-transmit", "repeated-action", "repeated-quantity",
         "bad-utf8", "infinite-quantity", "newline-in-key"],
)  # fmt: skip
def test_order_bodies_that_could_be_read_two_ways_are_refused(
    client: TestClient, broker: FakeBroker, raw: bytes, words: str
) -> None:
    for path in ("/ibkr/orders/place", "/ibkr/orders/preview"):
        response = client.post(path, content=raw, headers={"Content-Type": "application/json"})
        assert response.status_code == 400, response.text
        assert words in response.json()["error"], response.json()
    assert broker.called("place_order") == [] and broker.called("what_if") == []


@pytest.mark.parametrize("order_id", ["1e3", "1000.0", "0x10"])
def test_an_order_id_in_the_path_is_digits_only(client: TestClient, broker: FakeBroker, order_id):
    response = client.delete(f"/ibkr/orders/{order_id}")
    assert response.status_code == 400 and response.json()["field"] == "order_id"
    assert broker.called("cancel_order") == []


def test_an_infinite_strike_is_a_400_not_a_lookup(client: TestClient, broker: FakeBroker) -> None:
    response = client.get("/ibkr/market_data/snapshot?symbol=CCJ&sec_type=OPT&strike=inf")
    assert response.status_code == 400 and response.json()["field"] == "strike"
    assert broker.called("contract_details") == []


@pytest.mark.parametrize(
    ("path", "params", "unknown"),
    [
        ("/ibkr/account/positions", {"acount_id": "DU2"}, "acount_id"),
        ("/ibkr/market_data/historical", {"contract_id": "12345678", "durtion": "5 D"}, "durtion"),
        ("/ibkr/connection/status", {"verbose": "1"}, "verbose"),
    ],
    ids=["misspelt-account", "misspelt-duration", "operation-without-parameters"],
)
def test_a_query_parameter_the_operation_does_not_take_is_refused_not_ignored(
    client: TestClient, broker: FakeBroker, path: str, params: dict[str, str], unknown: str
) -> None:
    """MCP refuses an unknown argument; REST did answer as if it had not been given (for the
    default account, or the default duration). Now both refuse, naming what the operation
    takes."""
    response = client.get(path, params=params)
    assert response.status_code == 400, response.text
    answer = response.json()
    assert answer["code"] == "invalid_request" and answer["field"] == unknown
    assert f"unknown query parameter '{unknown}'" in answer["error"]
    assert broker.calls == []
    known = {k: v for k, v in params.items() if k != unknown}
    assert client.get(path, params=known).status_code == 200

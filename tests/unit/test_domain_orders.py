"""Order invariants, checked where orders enter: msgspec decoding plus ``__post_init__``."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from domain.errors import InvalidRequest
from domain.orders import OrderRequest

BASE = {"contract_id": 1, "action": "BUY", "quantity": 1}


def decode(**fields: Any) -> OrderRequest:
    return msgspec.convert({**BASE, **fields}, OrderRequest)


@pytest.mark.parametrize("quantity", [0, -1, -0.5])
def test_quantity_must_be_positive(quantity: float) -> None:
    with pytest.raises(msgspec.ValidationError, match=r"> 0.*\$\.quantity"):
        decode(quantity=quantity)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"order_type": "LMT"}, "limit_price"),
        ({"order_type": "STP"}, "stop_price"),
        ({"order_type": "STP LMT", "limit_price": 10}, "stop_price"),
        ({"order_type": "STP LMT", "stop_price": 10}, "limit_price"),
        ({"order_type": "MKT", "limit_price": 10}, "limit_price"),
        ({"time_in_force": "GTD"}, "good_till_date"),
        ({"time_in_force": "GTD", "good_till_date": "2030-12-31"}, "good_till_date"),
        ({"time_in_force": "GTD", "good_till_date": "20300231 10:00:00"}, "good_till_date"),
        ({"tif": "tomorrow"}, "tif"),
        ({"order_type": "BRACKET"}, "order_type"),
        ({"order_type": "TRAIL"}, "trailing_amount"),
        ({"action": "SHORT"}, "action"),
        ({"time_in_force": "GTX"}, "time_in_force"),
        ({"order_type": "STP", "stop_price": 1, "time_in_force": "FOK"}, "time_in_force"),
        ({"contract_id": None}, "contract_id"),
        ({"sec_type": "STOCK"}, "sec_type"),
    ],
)
def test_order_rules(fields: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        decode(**fields)
    assert caught.value.field == field


def test_prices_must_be_positive() -> None:
    with pytest.raises(msgspec.ValidationError, match="limit_price"):
        decode(order_type="LMT", limit_price=0)


@pytest.mark.parametrize(
    ("given", "normalised"),
    [("limit", "LMT"), ("stp_lmt", "STP LMT"), (" stop limit ", "STP LMT"), ("market", "MKT")],
)
def test_order_type_aliases(given: str, normalised: str) -> None:
    prices = {"limit_price": 1.0, "stop_price": 1.0} if normalised == "STP LMT" else {}
    prices = {"limit_price": 1.0} if normalised == "LMT" else prices
    assert decode(order_type=given, **prices).order_type == normalised


def test_words_are_normalised() -> None:
    order = decode(action=" sell ", time_in_force="gtc")
    assert (order.action, order.time_in_force) == ("SELL", "GTC")


def test_good_till_applies_only_to_gtd() -> None:
    gtd = decode(
        time_in_force="GTD", good_till_date="20301231 16:00:00 US/Eastern", tif="20301231 10:00:00"
    )
    assert gtd.effective_good_till == "20301231 16:00:00 US/Eastern"
    assert gtd.ignored_fields_warnings == []
    day = decode(tif="20301231 10:00:00")
    assert day.effective_good_till == ""
    assert "DAY order ignores it" in day.ignored_fields_warnings[0]


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(msgspec.ValidationError, match="unknown field `stop_loss`"):
        decode(stop_loss=1)


def test_contract_query_of_a_symbol_order_defaults_to_smart_stock() -> None:
    query = decode(contract_id=None, symbol="AAPL").contract_query()
    assert (query.con_id, query.symbol, query.sec_type, query.exchange) == (
        0,
        "AAPL",
        "STK",
        "SMART",
    )
    by_id = decode(contract_id=7).contract_query()
    assert (by_id.con_id, by_id.sec_type, by_id.exchange) == (7, "", "")


@pytest.mark.parametrize(
    ("fields", "sec_type", "exchange"),
    [
        ({"symbol": "AAPL"}, "STK", "SMART"),
        ({"symbol": "AAPL", "exchange": "ISLAND"}, "STK", "ISLAND"),
        ({"symbol": "EUR", "sec_type": "CASH", "currency": "USD"}, "CASH", ""),
        (
            {"symbol": "ES", "sec_type": "FUT", "last_trade_date_or_contract_month": "202612"},
            "FUT",
            "",
        ),
        ({"contract_id": 265598}, "", ""),
    ],
)
def test_an_orders_contract_gets_the_same_defaults_as_a_quote(
    fields: dict[str, Any], sec_type: str, exchange: str
) -> None:
    order = msgspec.convert({"action": "BUY", "quantity": 1, **fields}, OrderRequest)
    query = order.contract_query()
    assert (query.sec_type, query.exchange) == (sec_type, exchange)
    assert query.con_id == fields.get("contract_id", 0)
    assert query.symbol == fields.get("symbol", "")

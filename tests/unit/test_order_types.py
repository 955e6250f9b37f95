"""The order-type table: what each type needs, refuses, and the 400 texts that say so."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from domain.errors import InvalidRequest
from domain.order_types import ORDER_TYPE_RULES
from domain.orders import OrderRequest


def decode(**fields: Any) -> OrderRequest:
    return msgspec.convert({"action": "SELL", "quantity": 10, "contract_id": 1, **fields},
                           OrderRequest)  # fmt: skip


VALID = [
    {"order_type": "TRAIL", "trailing_amount": 2.0},
    {"order_type": "TRAIL", "trailing_percent": 1.5, "trail_stop_price": 95},
    {"order_type": "TRAIL LIMIT", "trailing_amount": 1, "limit_offset": 0.1},
    {"order_type": "TRAIL LIMIT", "trailing_percent": 1, "limit_price": 94, "trail_stop_price": 95},
    {"order_type": "MOC"},
    {"order_type": "LOC", "limit_price": 100},
    {"order_type": "MIT", "trigger_price": 105},
    {"order_type": "LIT", "trigger_price": 105, "limit_price": 104.5},
    {"order_type": "REL", "offset": 0.01},
    {"order_type": "REL", "offset": 0, "limit_price": 100},
    {"order_type": "MIDPRICE"},
    {"order_type": "MIDPRICE", "limit_price": 100},
    {"order_type": "MKT", "time_in_force": "OPG"},
    {"order_type": "LMT", "limit_price": 1, "time_in_force": "FOK"},
    {"order_type": "LMT", "limit_price": 1, "algo": {"strategy": "twap", "params": {}}},
]


@pytest.mark.parametrize("fields", VALID, ids=lambda f: f["order_type"])
def test_each_type_is_accepted_with_its_fields(fields: dict[str, Any]) -> None:
    assert decode(**fields).order_type == fields["order_type"]


@pytest.mark.parametrize(
    ("fields", "field", "text"),
    [
        ({"order_type": "TRAIL"}, "trailing_amount",
         "TRAIL orders need trailing_amount or trailing_percent"),
        ({"order_type": "TRAIL", "trailing_amount": 1, "trailing_percent": 1}, "trailing_percent",
         "TRAIL orders take trailing_amount or trailing_percent, not both"),
        ({"order_type": "TRAIL LIMIT", "trailing_amount": 1}, "limit_offset",
         "TRAIL LIMIT orders need trailing_amount or trailing_percent, and limit_offset or "
         "limit_price"),
        ({"order_type": "TRAIL LIMIT", "trailing_amount": 1, "limit_price": 9}, "trail_stop_price",
         "TRAIL LIMIT orders with limit_price also need trail_stop_price"),
        ({"order_type": "TRAIL", "trailing_amount": 1, "limit_price": 9}, "limit_price",
         "TRAIL orders take no limit_price; TRAIL uses trailing_amount, trailing_percent, "
         "trail_stop_price"),
        ({"order_type": "MOC", "limit_price": 9}, "limit_price", "MOC orders take no limit_price"),
        ({"order_type": "MOC", "time_in_force": "GTC"}, "time_in_force",
         "MOC orders accept time_in_force DAY; got GTC"),
        ({"order_type": "LOC"}, "limit_price", "LOC orders need limit_price"),
        ({"order_type": "MIT"}, "trigger_price", "MIT orders need trigger_price"),
        ({"order_type": "LIT", "trigger_price": 1}, "limit_price",
         "LIT orders need trigger_price, and limit_price"),
        ({"order_type": "REL"}, "offset", "REL orders need offset"),
        ({"order_type": "STP", "stop_price": 1, "time_in_force": "OPG"}, "time_in_force",
         "STP orders accept time_in_force DAY, GTC, IOC, GTD; got OPG"),
        ({"order_type": "STP", "stop_price": 1, "algo": {"strategy": "Adaptive"}}, "algo",
         "IB's algos work MKT and LMT orders, not STP"),
        ({"algo": {"strategy": "Iceberg"}}, "algo.strategy",
         "algo.strategy must be one of Adaptive, Twap, Vwap"),
        ({"algo": {"strategy": "Adaptive", "params": {"adaptivePriority": "Fast"}}},
         "algo.params.adaptivePriority", "must be one of Urgent, Normal, Patient"),
        ({"algo": {"strategy": "Vwap", "params": {"maxPctVol": 0.9}}}, "algo.params.maxPctVol",
         "from 0.01 to 0.5"),
        ({"algo": {"strategy": "Twap", "params": {"startTime": "10am"}}},
         "algo.params.startTime", "'HH:MM:SS'"),
        ({"algo": {"strategy": "Twap", "params": {"maxPctVol": 0.1}}}, "algo.params.maxPctVol",
         "Twap takes the parameters strategyType, startTime, endTime, allowPastEndTime"),
    ],
)  # fmt: skip
def test_a_missing_or_foreign_field_names_what_the_type_needs(
    fields: dict[str, Any], field: str, text: str
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        decode(**fields)
    assert caught.value.field == field
    assert text in caught.value.message


def test_every_type_without_its_needs_is_refused_naming_the_first_missing_field() -> None:
    for kind, rule in ORDER_TYPE_RULES.items():
        if not rule.needs:
            assert decode(order_type=kind).order_type == kind
            continue
        with pytest.raises(InvalidRequest) as caught:
            decode(order_type=kind)
        assert caught.value.field == rule.needs[0][0]
        assert caught.value.message.startswith(f"{kind} orders need ")


def test_algo_params_are_written_as_ib_spells_them() -> None:
    order = decode(
        order_type="MKT",
        algo={"strategy": "VWAP", "params": {"maxPctVol": 0.25, "noTakeLiq": True,
                                              "startTime": "10:00:00 US/Eastern"}},
    )  # fmt: skip
    assert order.algo is not None and order.algo.strategy == "Vwap"
    assert order.algo.tag_values() == [
        ("maxPctVol", "0.25"),
        ("noTakeLiq", "1"),
        ("startTime", "10:00:00 US/Eastern"),
    ]
    adaptive = decode(algo={"strategy": "adaptive"})
    assert adaptive.algo is not None and adaptive.algo.params == {"adaptivePriority": "Normal"}


def test_aliases_name_the_new_types() -> None:
    assert decode(order_type="trailing_stop", trailing_amount=1).order_type == "TRAIL"
    assert decode(order_type="market_on_close").order_type == "MOC"

"""The catalog's decoder: every failure names its field from the walk, never from a message."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
import pytest
from msgspec import Meta

from domain.errors import InvalidRequest
from entrypoints.catalog.decode import decode_input
from entrypoints.catalog.fields import Right, upper_words


class Inner(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    strikes: list[Annotated[float, Meta(gt=0)]] = msgspec.field(default_factory=list)


class Sample(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    count: Annotated[int, Meta(ge=1, le=5)]
    side: Annotated[Literal["BUY", "SELL"], Meta(extra={"normalize": upper_words})] = "BUY"
    right: Right = None
    ids: Annotated[list[Annotated[int, Meta(ge=1)]], Meta(max_length=2)] = msgspec.field(
        default_factory=list
    )
    inner: Inner | None = None
    code: Annotated[str, Meta(pattern="^[A-Z]+$", extra={"format": "capital letters"})] = "X"


def refusal(values: object, *, strict: bool = True) -> InvalidRequest:
    with pytest.raises(InvalidRequest) as caught:
        decode_input(Sample, values, strict=strict, root="body")
    return caught.value


def test_valid_input_is_normalised_and_built() -> None:
    sample = decode_input(
        Sample, {"count": "2", "side": " sell ", "right": "put", "ids": ["3"]}, strict=False
    )
    assert (sample.count, sample.side, sample.right, sample.ids) == (2, "SELL", "P", [3])


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({}, "count", "required"),
        ({"count": 9}, "count", "<= 5"),
        ({"count": "2"}, "count", "Expected `int`, got `str`"),
        ({"count": 1, "side": "HOLD"}, "side", "must be one of 'BUY', 'SELL'; got 'HOLD'"),
        ({"count": 1, "right": "X"}, "right", "must be C or P"),
        ({"count": 1, "ids": [1, 0]}, "ids[1]", ">= 1"),
        ({"count": 1, "ids": [1, 2, 3]}, "ids", "At most 2 values; got 3"),
        ({"count": 1, "inner": {"strikes": [1, "x"]}}, "inner.strikes[1]", "float"),
        ({"count": 1, "inner": {"strike": [1]}}, "inner", "accepts the keys strikes"),
        ({"count": 1, "code": "abc"}, "code", "must be capital letters; got 'abc'"),
        ({"count": 1, "extra": True}, "body", "unknown key 'extra'"),
        ([1], "body", "a JSON object is required"),
    ],
)
def test_a_refusal_names_the_field(values: object, field: str, words: str) -> None:
    refused = refusal(values)
    assert refused.field == field
    assert refused.message.startswith(f"{field}: ")
    assert words in refused.message


def test_accepted_values_come_from_the_declared_enum() -> None:
    assert refusal({"count": 1, "side": "x"}).accepted == ["BUY", "SELL"]


def test_null_is_not_the_default_only_absence_is() -> None:
    """A null order_type once became MKT and a null transmit true: the terms changed."""
    assert decode_input(Sample, {"count": 1}, strict=True).side == "BUY"
    for field in ("side", "ids"):
        with pytest.raises(InvalidRequest, match="null is not accepted") as caught:
            decode_input(Sample, {"count": 1, field: None}, strict=True)
        assert caught.value.field == field


def test_text_numbers_and_control_characters_are_refused() -> None:
    with pytest.raises(InvalidRequest, match="whole number") as caught:
        decode_input(Sample, {"count": "1e3"}, strict=False)  # from a URL: not order 1000
    assert caught.value.field == "count"
    assert decode_input(Sample, {"count": "4"}, strict=False).count == 4

"""Every response model survives the JSON the front doors send: encode, decode, equal."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from tests.factories import RESPONSE_FACTORIES, Factory


@pytest.mark.parametrize("factory", RESPONSE_FACTORIES, ids=lambda f: f.__model__.__name__)
def test_json_round_trip(factory: type[Factory[Any]]) -> None:
    for instance in factory.batch(5):
        encoded = msgspec.json.encode(instance)
        assert msgspec.json.decode(encoded, type=factory.__model__) == instance


@pytest.mark.parametrize("factory", RESPONSE_FACTORIES, ids=lambda f: f.__model__.__name__)
def test_unset_extensions_are_absent_not_null(factory: type[Factory[Any]]) -> None:
    """An extension field left UNSET must not appear, so contract-shaped answers stay so."""
    model = factory.__model__
    unset_fields = [
        name for name, default in zip(model.__struct_fields__[::-1], model.__struct_defaults__[::-1], strict=False)
        if default is msgspec.UNSET
    ]  # fmt: skip
    instance = factory.build(**dict.fromkeys(unset_fields, msgspec.UNSET))
    assert not set(unset_fields) & set(msgspec.to_builtins(instance))

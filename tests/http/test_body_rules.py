"""Bodies are JSON, nested at most MAX_JSON_DEPTH deep, checked once before anything decodes.

Deeply nested JSON used to make msgspec raise RecursionError (past ~1000 levels), which came
out as a 500 with a stack trace in the log.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from litestar.testing import TestClient

from application.container import build_services
from entrypoints.http.app import create_http_app
from entrypoints.http.body_rules import MAX_JSON_DEPTH, is_json, too_deep
from tests.fakes import FakeBroker, FakeClock, FakeGateway

JSON = {"Content-Type": "application/json"}


def depth(value: Any) -> int:
    """How many arrays and objects nest, the obvious way."""
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    return 0


def nested(levels: int) -> Any:
    value: Any = "[{}]"  # brackets inside a string do not count
    for level in range(levels):
        value = [value] if level % 2 else {'k\\"[': value, "n": 1}
    return value


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ a,:'),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=40,
)


@given(value=json_values, limit=st.integers(min_value=0, max_value=6))
def test_too_deep_agrees_with_the_obvious_count(value: Any, limit: int) -> None:
    assert too_deep(json.dumps(value).encode(), limit) == (depth(value) > limit)


@pytest.mark.parametrize("levels", [1, MAX_JSON_DEPTH - 1, MAX_JSON_DEPTH])
def test_the_limit_itself_is_allowed(levels: int) -> None:
    body = json.dumps(nested(levels))
    assert depth(nested(levels)) == levels
    assert not too_deep(body) and not too_deep(body.encode())
    assert too_deep(json.dumps([nested(levels)]), limit=levels)  # one level more: refused


@pytest.mark.parametrize(
    ("body", "deep"),
    [
        (b"[" * 100_000, True),  # unclosed: the decoder would recurse all the same
        (b'{"a":' * 100_000, True),
        (b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1), True),
        (b"[" * MAX_JSON_DEPTH, False),  # malformed but shallow: the decoder says so itself
        (b"]]]]", False),
        (b'["' + b"[" * 1000 + b'"]', False),
        (b"", False),
    ],
)
def test_edge_cases(body: bytes, deep: bool) -> None:
    assert too_deep(body) is deep


@pytest.mark.parametrize(
    ("content_type", "accepted"),
    [
        ("application/json", True),
        ("application/json; charset=utf-8", True),
        ("Application/JSON;charset=UTF-8", True),
        ("text/plain", False),
        ("text/plain; x=application/json", False),
        ("application/x-www-form-urlencoded", False),
        ("application/jsonp", False),
        ("application/json, text/plain", False),
        ("", False),
        (None, False),
    ],
)
def test_only_json_is_json(content_type: str | None, accepted: bool) -> None:
    assert is_json(content_type) is accepted


@pytest.fixture
def roomy_client(broker: FakeBroker, gateway: FakeGateway, clock: FakeClock):
    """A body cap large enough for 100,000 brackets: the nesting rule must refuse them."""
    app = create_http_app(build_services(broker, gateway, clock), max_body=1024 * 1024)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.mark.parametrize(
    "body", [b"[" * 100_000, b"[" * 60_000 + b"]" * 60_000, b'{"a":' * 100_000]
)
def test_deeply_nested_json_is_400_naming_the_body_not_500(roomy_client, broker, body):
    for path in ("/ibkr/orders/place", "/ibkr/orders/preview", "/mcp/"):
        response = roomy_client.post(path, content=body, headers=JSON)
        assert response.status_code == 400, (path, response.text)
        assert response.json() == {
            "error": f"body: JSON nested deeper than {MAX_JSON_DEPTH} levels; no request needs that",
            "code": "invalid_request",
            "field": "body",
            "status": 400,
        }
    assert broker.calls == []


def test_nesting_up_to_the_limit_reaches_the_decoder(client: TestClient, broker: FakeBroker):
    order = {"contract_id": 265598, "action": "BUY", "quantity": 1, "extra": nested(30)}
    response = client.post("/ibkr/orders/place", json=order)
    assert response.status_code == 400
    assert response.json()["field"] == "body" and "extra" in response.json()["error"]
    assert broker.calls == []

"""Generated input against the documented API: never a 500, every answer in the documented shape.

Hypothesis builds order bodies (valid-looking and hostile) and query strings; each response
is validated against the OpenAPI document's schema for its status code.
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from tests.fakes import FakeBroker
from tests.safety.apps import OPS_TOKEN, TOKENS, bearer, full_app
from tests.safety.conftest import AAPL

EXAMPLES = 120
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,  # the same examples every run: CI stays deterministic
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
numbers = st.one_of(
    st.integers(-(2**63), 2**63), st.floats(allow_nan=False), st.just(0), st.just(1e308),
    st.sampled_from([10, 0.5, -1, 2**31]),
)  # fmt: skip
texts = st.one_of(st.text(max_size=30), st.sampled_from(["AAPL", "STK", "LMT", "BUY", "GTD", ""]))
values = st.one_of(st.none(), st.booleans(), numbers, texts, st.lists(st.integers(), max_size=2))
ORDER_FIELDS = ["action", "quantity", "order_type", "contract_id", "symbol", "sec_type",
                "exchange", "currency", "limit_price", "stop_price", "time_in_force", "tif",
                "good_till_date", "outside_rth", "transmit", "client_order_id", "bogus"]  # fmt: skip
orders = st.one_of(
    st.dictionaries(st.sampled_from(ORDER_FIELDS), values, max_size=8),
    st.fixed_dictionaries(
        {
            "contract_id": st.just(AAPL.con_id),
            "action": st.sampled_from(["BUY", "sell", "x"]),
            "quantity": numbers,
        },
        optional={
            "order_type": st.sampled_from(["MKT", "LMT", "STP LMT", "??"]),
            "limit_price": numbers,
            "time_in_force": texts,
            "tif": texts,
        },
    ),
    st.sampled_from([[], "text", 1, None]),
)
queries = st.tuples(
    st.sampled_from(
        ["/ibkr/orders/audit", "/gateway/logs", "/ibkr/market_data/snapshot",
         "/ibkr/market_data/historical", "/ibkr/account/summary", "/ibkr/market_data/tickers"]
    ),
    st.dictionaries(
        st.sampled_from(["limit", "tail", "contract_id", "duration", "bar_size", "contract_ids",
                         "account_id", "symbol"]),
        st.one_of(texts, numbers.map(str)), max_size=3,
    ),
)  # fmt: skip


@pytest.fixture(scope="module")
def fuzz_client(tmp_path_factory):
    broker = FakeBroker()
    broker.contracts = [AAPL]
    audit = tmp_path_factory.mktemp("fuzz") / "audit.jsonl"
    with TestClient(full_app(broker, audit, token=TOKENS, max_order_quantity=1e6)) as client:
        client.headers.update(bearer(OPS_TOKEN))
        openapi = client.get("/docs/openapi.json").json()
        yield client, openapi


def check(openapi: dict[str, Any], path: str, method: str, response: Any) -> None:
    assert response.status_code < 500 or response.status_code in (501, 502, 503, 504), (
        f"{method.upper()} {path} -> {response.status_code}: {response.text}"
    )
    operation = openapi["paths"][path][method]
    documented = operation["responses"].get(str(response.status_code))
    assert documented is not None, f"{method} {path}: {response.status_code} is not documented"
    schema = documented.get("content", {}).get("application/json", {}).get("schema")
    if schema is not None:
        root = {**schema, "components": openapi["components"]}
        jsonschema.Draft202012Validator(root).validate(response.json())


@FUZZ
@given(body=orders, path=st.sampled_from(["/ibkr/orders/place", "/ibkr/orders/preview"]))
def test_order_bodies_never_cause_a_500_and_match_the_schema(fuzz_client, body, path):
    client, openapi = fuzz_client
    # json.dumps writes inf as 'Infinity' (not JSON): the server must answer 400, not 500.
    response = client.post(
        path, content=json.dumps(body), headers={"Content-Type": "application/json"}
    )
    check(openapi, path, "post", response)


@FUZZ
@given(query=queries)
def test_query_parameters_never_cause_a_500_and_match_the_schema(fuzz_client, query):
    client, openapi = fuzz_client
    path, params = query
    response = client.get(path, params=params)
    check(openapi, path, "get", response)

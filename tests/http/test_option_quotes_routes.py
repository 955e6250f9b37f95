"""The option-quote routes: a chain page with quotes and greeks, the calculators, and the
400s that say what is wrong."""

from __future__ import annotations

import json

from litestar.testing import TestClient

from tests.fakes import FakeBroker
from tests.option_quotes_world import XYZ, option_id, seed_option_chain

CALL = option_id("20260213", 100.0, "C")


def test_a_chain_page_with_quotes_and_greeks(client: TestClient, broker: FakeBroker) -> None:
    seed_option_chain(broker)
    page = client.get(
        "/ibkr/options_chain/quotes",
        params={"underlying_symbol": "XYZ", "expirations": "20260213", "strike_min": 99,
                "strike_max": 101, "right": "call", "limit": 2},
    )  # fmt: skip
    assert page.status_code == 200, page.text
    body = page.json()
    assert (body["underlying_contract_id"], body["underlying_price"]) == (XYZ, 100.0)
    assert (body["total"], body["count"], body["next_cursor"]) == (3, 2, "20260213:100:C")
    (expiry,) = body["expirations"]
    assert expiry["expiry"] == "20260213"
    assert [s["strike"] for s in expiry["strikes"]] == [99.0, 100.0]
    assert expiry["strikes"][0] == {"strike": 99.0, "call": {
        "con_id": option_id("20260213", 99.0, "C"), "bid": 4.05, "ask": 4.15, "last": 4.1,
        "volume": 1234, "open_interest": 12345, "iv": 0.2445, "delta": 0.5123, "gamma": 0.031234,
        "vega": 0.1235, "theta": -0.0457}}  # fmt: skip
    rest = client.get(
        "/ibkr/options_chain/quotes",
        params={"underlying_symbol": "XYZ", "expirations": "20260213", "strike_min": 99,
                "strike_max": 101, "right": "C", "cursor": body["next_cursor"]},
    )  # fmt: skip
    assert [s["strike"] for s in rest.json()["expirations"][0]["strikes"]] == [101.0]
    assert "next_cursor" not in rest.json()


def test_a_page_of_100_contracts_stays_under_20_kb(client: TestClient, broker: FakeBroker) -> None:
    seed_option_chain(broker)
    page = client.get(
        "/ibkr/options_chain/quotes?underlying_symbol=XYZ&expirations=20260213"
        "&expirations=20260220&strike_min=88&strike_max=112"
    )
    assert page.status_code == 200 and page.json()["count"] == 100
    assert len(page.content) < 19_000, len(page.content)
    assert len(json.dumps(page.json(), separators=(",", ":"))) == len(page.content)
    calls = client.get(  # one side per strike: 90 calls of the two expirations
        "/ibkr/options_chain/quotes?underlying_symbol=XYZ&expirations=20260213"
        "&expirations=20260220&right=C"
    )
    assert calls.status_code == 200 and calls.json()["count"] == 90
    assert len(calls.content) / 90 * 100 < 19_500, len(calls.content)


def test_bad_filters_are_400s_that_say_how_to_narrow(
    client: TestClient, broker: FakeBroker
) -> None:
    seed_option_chain(broker)
    wide = client.get("/ibkr/options_chain/quotes?underlying_symbol=XYZ&expirations=20260213"
                      "&expirations=20260220")  # fmt: skip
    assert wide.status_code == 400
    assert "180 option contracts" in wide.json()["error"]
    assert "max_distance_pct" in wide.json()["error"]
    for params, words in (
        ("limit=101", "limit"),
        ("expirations=20990101", "not in this chain"),
        ("cursor=somewhere", "cursor"),
        ("max_distance_pct=0", "max_distance_pct"),
    ):
        answer = client.get(f"/ibkr/options_chain/quotes?underlying_symbol=XYZ&{params}")
        assert answer.status_code == 400 and words in answer.text, (params, answer.text)


def test_the_calculators(client: TestClient, broker: FakeBroker) -> None:
    seed_option_chain(broker)
    iv = client.get(f"/ibkr/options/{CALL}/implied_volatility?option_price=4&underlying_price=100")
    assert iv.status_code == 200, iv.text
    assert iv.json() == {"contract_id": CALL, "symbol": "XYZ Feb13'26 100.0 CALL",
                         "implied_volatility": 0.2, "option_price": 4.0,
                         "underlying_price": 100.0, "delta": 0.5, "gamma": 0.02, "vega": 0.1,
                         "theta": -0.05}  # fmt: skip
    price = client.get(f"/ibkr/options/{CALL}/price?volatility=0.25")  # the quote's underlying
    assert price.status_code == 200 and price.json()["option_price"] == 5.0
    assert broker.called("option_price") == [(CALL, 0.25, 100.0)]
    for path, words in (
        (f"/ibkr/options/{CALL}/implied_volatility?option_price=-1", "must be positive"),
        (f"/ibkr/options/{CALL}/price?volatility=25", "0.25 for 25%"),
        (f"/ibkr/options/{XYZ}/price?volatility=0.2", "not an option"),
        (f"/ibkr/options/{CALL}/implied_volatility?option_price=150&underlying_price=100",
         "intrinsic value"),
    ):  # fmt: skip
        answer = client.get(path)
        assert answer.status_code == 400 and words in answer.text, (path, answer.text)
    assert client.get("/ibkr/options/99/price?volatility=0.2").status_code == 404

"""The option-quote tools through a real MCP client: a chain page (checked against its output
schema), the calculators, and tool errors that say what to change."""

from __future__ import annotations

import json

import pytest
from fastmcp.exceptions import ToolError

from tests.option_quotes_world import XYZ, option_id, seed_option_chain

CALL = option_id("20260220", 105.0, "C")


@pytest.fixture(autouse=True)
def chain(broker):
    seed_option_chain(broker)


async def test_a_chain_page_reads_as_a_chain_table(call, client):
    page = await call("get_option_chain_quotes", underlying_symbol="xyz",
                      expirations=["20260220"], max_distance_pct=2)  # fmt: skip
    assert (page["total"], page["count"], page["underlying_price"]) == (10, 10, 100.0)
    (expiry,) = page["expirations"]
    assert [s["strike"] for s in expiry["strikes"]] == [98.0, 99.0, 100.0, 101.0, 102.0]
    put = expiry["strikes"][4]["put"]
    assert put["con_id"] == option_id("20260220", 102.0, "P")
    assert put["delta"] == -0.4877 and put["open_interest"] == 12345 and put["iv"] == 0.2448
    # a hundred contracts, as the agent reads them
    result = await client.call_tool(
        "get_option_chain_quotes",
        {"underlying_symbol": "XYZ", "expirations": ["20260213", "20260220"],
         "strike_min": 88, "strike_max": 112},
    )  # fmt: skip
    assert result.structured_content["count"] == 100
    assert len(json.dumps(result.structured_content, separators=(",", ":"))) < 19_000


async def test_paging_with_limit_and_cursor(call):
    first = await call("get_option_chain_quotes", underlying_symbol="XYZ", strike_min=100,
                       strike_max=102, limit=4)  # fmt: skip
    assert (first["count"], first["next_cursor"]) == (4, "20260213:101:P")
    second = await call("get_option_chain_quotes", underlying_symbol="XYZ", strike_min=100,
                        strike_max=102, limit=4, cursor=first["next_cursor"])  # fmt: skip
    assert second["count"] == 2 and "next_cursor" not in second
    assert second["expirations"][0]["strikes"] == [
        {"strike": 102.0, "call": second["expirations"][0]["strikes"][0]["call"],
         "put": second["expirations"][0]["strikes"][0]["put"]}
    ]  # fmt: skip


async def test_too_wide_a_filter_is_a_tool_error_naming_the_count(client, broker):
    with pytest.raises(ToolError) as refused:
        await client.call_tool("get_option_chain_quotes", {"underlying_symbol": "XYZ",
                                                           "limit": 50,
                                                           "expirations": ["20260213",
                                                                           "20260220"],
                                                           "strike_max": 200})  # fmt: skip
    text = str(refused.value)
    assert text.startswith("invalid_request: The filter selects 180 option contracts")
    assert "max_distance_pct" in text
    assert broker.called("snapshot") == [] or all(
        args[0].con_id == XYZ for args in broker.called("snapshot")
    )  # nothing but the underlying was quoted
    with pytest.raises(ToolError):
        await client.call_tool("get_option_chain_quotes", {"underlying_symbol": "XYZ",
                                                           "limit": 101})  # fmt: skip


async def test_the_calculators(call, client, broker):
    iv = await call("calculate_implied_volatility", contract_id=CALL, option_price=5.0)
    assert iv["implied_volatility"] == 0.25 and iv["underlying_price"] == 100.0
    assert iv["symbol"] == "XYZ Feb20'26 105.0 CALL" and iv["theta"] == -0.05
    priced = await call("calculate_option_price", contract_id=CALL, volatility=0.5,
                        underlying_price=120)  # fmt: skip
    assert priced["option_price"] == 12.0 and priced["implied_volatility"] == 0.5
    assert broker.called("option_price") == [(CALL, 0.5, 120.0)]
    for tool, arguments, words in (
        ("calculate_option_price", {"contract_id": CALL, "volatility": 30}, "0.25 for 25%"),
        ("calculate_implied_volatility", {"contract_id": XYZ, "option_price": 1},
         "not an option"),
        ("calculate_implied_volatility", {"contract_id": CALL, "option_price": 0},
         "must be positive"),
    ):  # fmt: skip
        with pytest.raises(ToolError, match=words):
            await client.call_tool(tool, arguments)

from __future__ import annotations

import pytest
from fastmcp.exceptions import ToolError

from domain.contract import Contract
from tests.mcp.conftest import CCJ_EU, CCJ_US


async def test_a_unique_match_is_the_qualified_contract(call):
    result = await call("get_contract_details", symbol="CCJ", currency="USD")
    assert result["qualified_contract"]["con_id"] == CCJ_US
    assert "candidate_contracts" not in result


async def test_several_matches_are_candidates_not_an_error(call):
    result = await call("get_contract_details", symbol="CCJ")
    assert [c["con_id"] for c in result["candidate_contracts"]] == [CCJ_US, CCJ_EU]


async def test_option_fields_are_plain_arguments(call, broker):
    broker.contracts.append(
        Contract(
            sec_type="OPT",
            con_id=555,
            symbol="CCJ",
            last_trade_date_or_contract_month="20260213",
            strike=120.0,
            right="C",
            multiplier="100",
            exchange="SMART",
            currency="USD",
        )
    )
    result = await call(
        "get_contract_details",
        symbol="CCJ",
        sec_type="OPT",
        last_trade_date_or_contract_month="20260213",
        strike=120,
        right="C",
    )
    contract = result["qualified_contract"]
    assert contract["con_id"] == 555
    assert contract["friendly_symbol"] == "CCJ Feb13'26 120.0 CALL"


@pytest.mark.parametrize("mcp_limits", [{"max_option_contracts": 1}])
async def test_candidates_are_capped_with_a_message(call):
    result = await call("get_contract_details", symbol="CCJ")
    assert len(result["candidate_contracts"]) == 1
    assert result["truncated"] is True
    assert "2 contracts match; the first 1" in result["message"]


async def test_unknown_symbol_is_contract_not_found(client):
    with pytest.raises(ToolError, match="contract_not_found: No contract matches NOPE"):
        await client.call_tool("get_contract_details", {"symbol": "NOPE"})


async def test_chain_without_filters_lists_candidate_chains(call):
    result = await call("get_options_chain", underlying_symbol="CCJ")
    assert [c["exchange"] for c in result["candidate_chains"]] == ["SMART", "BOX"]
    assert "options_chain" not in result


async def test_chain_with_exchange_and_filters_lists_contracts(call):
    result = await call(
        "get_options_chain",
        underlying_symbol="CCJ",
        underlying_con_id=CCJ_US,
        exchange="SMART",
        filters={"expirations": ["20260213"], "strikes": [120, 122], "rights": ["C"]},
    )
    contracts = result["options_chain"]
    assert [(c["strike"], c["right"]) for c in contracts] == [(120.0, "C"), (122.0, "C")]
    assert contracts[0]["friendly_symbol"] == "CCJ Feb13'26 120.0 CALL"


async def test_filters_selecting_too_many_contracts_ask_to_narrow(call, broker):
    result = await call(
        "get_options_chain",
        underlying_symbol="CCJ",
        exchange="SMART",
        filters={"expirations": ["20260213", "20260220"]},
    )
    assert result["truncated"] is True
    assert "124 option contracts, more than 100" in result["message"]
    assert broker.called("qualify_options") == []


async def test_unknown_chain_exchange_lists_the_available_ones(client):
    with pytest.raises(
        ToolError, match=r"contract_not_found: No option chain on CBOE; .*BOX, SMART"
    ):
        await client.call_tool(
            "get_options_chain",
            {"underlying_symbol": "CCJ", "exchange": "CBOE", "filters": {"strikes": [120]}},
        )


async def test_an_expiry_not_in_the_chain_lists_those_that_are(client):
    with pytest.raises(ToolError, match=r"filters.expirations available: 20260213, 20260220"):
        await client.call_tool(
            "get_options_chain",
            {
                "underlying_symbol": "CCJ",
                "exchange": "SMART",
                "filters": {"expirations": ["20300101"]},
            },
        )


async def test_fields_left_out_are_wildcards_as_over_rest(call, client, broker):
    # Issue 13: this tool used to default sec_type to STK (and exchange to SMART) while REST
    # kept the contract's wildcards; one declaration now gives both doors the REST behaviour.
    await call("get_contract_details", symbol="AAPL")
    with pytest.raises(ToolError, match="contract_not_found"):
        await client.call_tool("get_contract_details", {"symbol": "ES", "sec_type": "FUT"})
    any_query, future_query = (args[0] for args in broker.called("contract_details"))
    assert (any_query.sec_type, any_query.exchange) == ("", "")
    assert (future_query.sec_type, future_query.exchange) == ("FUT", "")

"""Toolsets and tool profiles: what an agent is shown, what it may call, and the size of it."""

from __future__ import annotations

import json

import pytest
from fastmcp import Client
from fastmcp.exceptions import ToolError

from application.container import build_services
from entrypoints.catalog import CATALOG
from entrypoints.mcp.prompts import FALLBACKS, NEEDS, offered_prompts
from entrypoints.mcp.server import build_mcp
from entrypoints.settings import SettingsError, settings_from_env
from entrypoints.toolsets import DEFAULT_PROFILE, EVERY_TOOL, PROFILES, TOOLSETS, select
from tests.fakes import FakeBroker, FakeClock, FakeGateway
from tests.mcp.conftest import TIMEOUT

# tools/list, as a client receives it, stays below these: every byte of it is read into an
# agent's context before its first call. The default keeps every tool of the original API
# contract (its endpoints are all MCP tools) within 25 KB; the smaller profiles an operator
# picks for an agent stay within what they measure, plus about 3%. An operation added to a
# profile's toolsets must fit, or go to an opt-in toolset.
BUDGETS = {"standard": 25_000, "trading": 15_300, "research": 17_300}

PROFILE_TOOLS = {
    "standard": {
        "get_account_summary", "get_account_values", "get_positions",
        "preview_order", "place_order", "cancel_order", "get_order_status", "get_open_orders",
        "get_order_audit",
        "get_market_data_snapshot", "get_tickers", "get_historical_data",
        "get_head_timestamp", "get_historical_ticks", "get_histogram",
        "get_contract_details", "get_options_chain",
        "get_scanner_results", "get_scanner_parameters",
        "get_connection_status", "reconnect", "get_health",
        "get_gateway_status", "get_gateway_logs", "restart_gateway",
    },
    "trading": {
        "get_account_summary", "get_account_values", "get_positions",
        "preview_order", "place_order", "cancel_order", "get_order_status", "get_open_orders",
        "get_order_audit",
        "get_market_data_snapshot", "get_tickers",
        "get_contract_details",
    },
    "read-only": {
        "get_account_summary", "get_account_values", "get_positions",
        "get_order_status", "get_open_orders", "get_order_audit",
        "get_market_data_snapshot", "get_tickers", "get_historical_data",
        "get_head_timestamp", "get_historical_ticks", "get_histogram",
        "get_contract_details", "get_options_chain",
        "get_connection_status", "get_health",
        "get_portfolio", "get_pnl", "get_position_pnl",
        "get_executions", "get_completed_orders",
        "get_scanner_results", "get_scanner_parameters",
        "search_symbols", "get_market_rules", "get_trading_hours", "get_trading_schedule",
        "get_news_providers", "get_news", "get_news_article",
        "get_fundamentals", "get_corporate_events",
        "get_option_chain_quotes", "calculate_implied_volatility", "calculate_option_price",
    },
    "research": {
        "get_market_data_snapshot", "get_tickers", "get_historical_data",
        "get_head_timestamp", "get_historical_ticks", "get_histogram",
        "get_contract_details", "get_options_chain",
        "get_scanner_results", "get_scanner_parameters",
        "get_market_depth", "get_tick_by_tick", "open_subscription", "read_subscription",
        "close_subscription", "list_subscriptions",
    },
    "full": {op.name for op in CATALOG},
}  # fmt: skip


def _server(environ: dict[str, str] | None = None):
    """The MCP server as the service builds it from its settings (IBKR_MCP_* variables)."""
    settings = settings_from_env(environ or {})
    services = build_services(FakeBroker(), FakeGateway(), FakeClock())
    return build_mcp(
        services,
        read_only=settings.read_only,
        selection=settings.tool_selection(),
        output_schemas=settings.mcp_output_schemas,
    )


async def _listing(mcp) -> tuple[int, set[str], set[str]]:
    """Bytes of the tools/list result as sent (compact JSON), tool names, prompt names."""
    async with Client(mcp, timeout=TIMEOUT, init_timeout=TIMEOUT) as client:
        result = await client.list_tools_mcp()
        prompts = {prompt.name for prompt in await client.list_prompts()}
    sent = result.model_dump_json(by_alias=True, exclude_none=True)
    assert json.loads(sent)["tools"]
    return len(sent.encode()), {tool.name for tool in result.tools}, prompts


def test_every_operation_is_in_one_known_toolset_and_every_toolset_is_used():
    assert {op.toolset for op in CATALOG} == set(TOOLSETS)
    for profile in PROFILES.values():
        assert set(profile.toolsets) <= set(TOOLSETS)


def test_the_full_profile_is_every_tool():
    """The parity tests' server (conftest) runs the full profile: every REST operation."""
    assert select(profile="full") == EVERY_TOOL
    assert all(EVERY_TOOL.offers(op) for op in CATALOG)


async def test_the_default_keeps_every_tool_of_the_original_contract():
    _, tools, _ = await _listing(_server())
    assert DEFAULT_PROFILE == "standard" and tools == PROFILE_TOOLS["standard"]
    contract = {"get_gateway_status", "get_gateway_logs", "get_account_summary",
                "get_positions", "place_order", "cancel_order", "get_market_data_snapshot",
                "get_historical_data", "get_contract_details", "get_options_chain",
                "get_scanner_results", "get_connection_status", "reconnect"}  # fmt: skip
    assert contract <= tools


@pytest.mark.parametrize("profile", BUDGETS)
async def test_each_profile_fits_its_budget(profile):
    size, _, _ = await _listing(_server({"IBKR_MCP_TOOL_PROFILE": profile}))
    assert size <= BUDGETS[profile], f"{profile} tools/list is {size} bytes"


@pytest.mark.parametrize("profile", PROFILE_TOOLS)
async def test_each_profile_lists_its_tools(profile):
    _, tools, _ = await _listing(_server({"IBKR_MCP_TOOL_PROFILE": profile}))
    assert tools == PROFILE_TOOLS[profile]


async def test_toolsets_replace_the_profiles_and_read_only_keeps_their_queries():
    _, tools, _ = await _listing(_server({"IBKR_MCP_TOOLSETS": "scanner,gateway"}))
    assert tools == {
        "get_scanner_results", "get_scanner_parameters",
        "get_gateway_status", "get_gateway_logs", "restart_gateway",
    }  # fmt: skip
    _, tools, _ = await _listing(
        _server({"IBKR_MCP_TOOLSETS": "orders,live", "IBKR_MCP_TOOL_PROFILE": "read-only"})
    )
    assert tools == {
        "get_order_status", "get_open_orders", "get_order_audit",
        "get_market_depth", "get_tick_by_tick", "read_subscription", "list_subscriptions",
    }  # fmt: skip


async def test_output_schemas_are_advertised_only_when_asked_for():
    for flag, expected in (("0", False), ("1", True)):
        mcp = _server({"IBKR_MCP_MCP_OUTPUT_SCHEMAS": flag})
        async with Client(mcp, timeout=TIMEOUT, init_timeout=TIMEOUT) as client:
            tools = await client.list_tools()
            answer = await client.call_tool("get_account_summary", {})
        assert all((tool.output_schema is not None) is expected for tool in tools)
        # The result is structured either way.
        assert answer.structured_content is not None


async def test_a_tool_outside_the_toolsets_is_refused_with_the_way_to_enable_it():
    async with Client(_server(), timeout=TIMEOUT, init_timeout=TIMEOUT) as client:
        with pytest.raises(ToolError) as refused:
            await client.call_tool("get_executions", {})
        with pytest.raises(ToolError, match="Unknown tool"):
            await client.call_tool("no_such_tool", {})
    message = str(refused.value)
    assert message.startswith("tool_not_offered: get_executions")
    assert "activity toolset" in message and "--toolsets" in message


async def test_a_query_only_profile_refuses_an_action_as_such():
    mcp = _server({"IBKR_MCP_TOOL_PROFILE": "read-only"})
    async with Client(mcp, timeout=TIMEOUT, init_timeout=TIMEOUT) as client:
        with pytest.raises(ToolError, match="queries only"):
            await client.call_tool("cancel_order", {"order_id": 1})


async def test_a_read_only_service_says_so():
    mcp = _server({"IBKR_MCP_READ_ONLY": "true"})
    async with Client(mcp, timeout=TIMEOUT, init_timeout=TIMEOUT) as client:
        with pytest.raises(ToolError, match="read-only"):
            await client.call_tool("place_order", {"action": "BUY", "quantity": 1})


@pytest.mark.parametrize("profile", PROFILE_TOOLS)
async def test_a_prompt_is_offered_when_every_tool_it_names_is(profile):
    _, tools, prompts = await _listing(_server({"IBKR_MCP_TOOL_PROFILE": profile}))
    assert prompts == set(offered_prompts(tools))
    assert {name for name, needs in NEEDS.items() if needs <= tools} <= prompts


async def test_the_prompts_name_no_tool_beyond_their_needs():
    async with Client(_server({"IBKR_MCP_TOOL_PROFILE": "full"})) as client:
        for name, needs in NEEDS.items():
            arguments = {"portfolio_review": {}, "research_company": {"company": "apple"}}.get(
                name, {"symbol": "AAPL"}
            )
            text = (await client.get_prompt(name, arguments)).messages[0].content.text
            named = {op.name for op in CATALOG if op.name in text}
            assert named == needs, name


@pytest.mark.parametrize(("profile", "plan"), [("full", "main"), ("standard", "fallback")])
async def test_the_option_chain_prompt_reads_quotes_where_offered_else_tickers(profile, plan):
    """With get_option_chain_quotes the plan reads quotes and greeks with it; without it
    (the default profile) the plan quotes a few contracts with get_tickers."""
    name = "explore_option_chain"
    needs = NEEDS[name] if plan == "main" else FALLBACKS[name][0]
    mcp = _server({"IBKR_MCP_TOOL_PROFILE": profile})
    async with Client(mcp) as client:
        tools = {tool.name for tool in await client.list_tools()}
        text = (await client.get_prompt(name, {"symbol": "AAPL"})).messages[0].content.text
    assert {op.name for op in CATALOG if op.name in text} == needs and needs <= tools


async def test_the_default_prompts_include_the_pre_trade_checklist():
    _, _, prompts = await _listing(_server())
    assert {"portfolio_review", "pre_trade_checklist"} <= prompts


async def test_the_instructions_name_only_offered_tools():
    for profile in PROFILE_TOOLS:
        mcp = _server({"IBKR_MCP_TOOL_PROFILE": profile})
        async with Client(mcp) as client:
            tools = {tool.name for tool in await client.list_tools()}
        text = mcp.instructions or ""
        assert "Toolsets offered here" in text
        named = {op.name for op in CATALOG if op.name in text}
        assert named <= tools, profile


@pytest.mark.parametrize(
    ("environ", "words"),
    [
        ({"IBKR_MCP_TOOL_PROFILE": "tradeing"}, "read-only, research, full"),
        ({"IBKR_MCP_TOOLSETS": "account,quotes"}, "'quotes'; the toolsets are account,"),
    ],
)
def test_unknown_names_are_refused_with_the_valid_ones(environ, words):
    with pytest.raises(SettingsError, match="unknown tool") as refused:
        settings_from_env(environ)
    assert words in str(refused.value)


async def test_the_research_prompt_comes_with_the_news_and_fundamentals_toolsets():
    from fastmcp import Client

    _, _, standard = await _listing(_server({}))
    _, _, full = await _listing(_server({"IBKR_MCP_TOOL_PROFILE": "full"}))
    assert "research_company" not in standard  # its tools are opt-in
    assert "research_company" in full
    async with Client(_server({"IBKR_MCP_TOOL_PROFILE": "full"}), timeout=TIMEOUT) as client:
        text = (await client.get_prompt("research_company", {"company": "apple"})).messages[0]
    words = text.content.text
    assert 'pattern="apple"' in words
    for tool in NEEDS["research_company"]:
        assert tool in words

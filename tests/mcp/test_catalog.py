"""What an agent sees before calling anything: names, descriptions, schemas, annotations."""

from __future__ import annotations

import pytest
from fastmcp import Client

from domain.contract import SEC_TYPES
from domain.market_data import BAR_SIZES, WHAT_TO_SHOW
from domain.orders import ORDER_TYPES, TIME_IN_FORCE
from entrypoints.catalog import operation

QUERIES = {
    "get_account_summary",
    "get_account_values",
    "get_positions",
    "get_open_orders",
    "get_order_status",
    "get_market_data_snapshot",
    "get_tickers",
    "get_historical_data",
    "get_head_timestamp",
    "get_historical_ticks",
    "get_histogram",
    "get_contract_details",
    "get_options_chain",
    "get_scanner_results",
    "get_scanner_parameters",
    "get_connection_status",
    "get_gateway_status",
    "get_gateway_logs",
    "get_health",
    "get_order_audit",
    "get_executions",
    "get_completed_orders",
    "get_portfolio",
    "get_pnl",
    "get_position_pnl",
    "get_market_depth",
    "get_tick_by_tick",
    "read_subscription",
    "list_subscriptions",
    "search_symbols",
    "get_market_rules",
    "get_trading_hours",
    "get_trading_schedule",
    "get_news_providers",
    "get_news",
    "get_news_article",
    "get_fundamentals",
    "get_corporate_events",
    "get_option_chain_quotes",
    "calculate_implied_volatility",
    "calculate_option_price",
}
# Open or close a live data subscription: not read-only, not destructive, nothing to confirm.
SUBSCRIBING = {"open_subscription", "close_subscription"}
ACTIONS = {"place_order", "modify_order", "cancel_order", "reconnect", "restart_gateway",
           "place_bracket_order", "cancel_all_orders", "place_oca_orders",
           "exercise_option"}  # fmt: skip
# Asks IB and issues a token, changes nothing at the broker: read-only, but not idempotent.
PREVIEWS = {"preview_order", "preview_bracket_order"}


@pytest.fixture
async def tools(client: Client) -> dict:
    return {tool.name: tool for tool in await client.list_tools()}


async def test_one_tool_per_operation_and_nothing_else(tools):
    assert set(tools) == QUERIES | ACTIONS | PREVIEWS | SUBSCRIBING


async def test_every_tool_and_parameter_is_described(tools):
    """Once in tools/list: a preview's arguments are described by the tool it previews."""
    for name, tool in tools.items():
        assert tool.description and len(tool.description) > 60, name
        describer = tools.get(operation(name).mcp.same_input_as or "", tool)
        assert describer is tool or f"Arguments: as {describer.name}'s." in tool.description
        for param, schema in tool.input_schema.get("properties", {}).items():
            schema = describer.input_schema["properties"].get(param, schema)
            described = schema.get("description") or schema.get("anyOf", [{}])[0].get("description")
            assert described, f"{name}.{param} has no description"


async def test_every_tool_advertises_an_object_output_schema(tools):
    for name, tool in tools.items():
        assert tool.output_schema is not None, name
        assert tool.output_schema.get("type") == "object", name


async def test_queries_are_read_only_and_actions_are_not(tools):
    for name in QUERIES:
        hints = tools[name].annotations
        assert hints.read_only_hint is True, name
        # MCP reads these only for a tool that changes something: left unsaid for a query.
        assert hints.idempotent_hint is None and hints.destructive_hint is None, name
    for name in ACTIONS:
        assert tools[name].annotations.read_only_hint is False, name
    for name in SUBSCRIBING:
        hints = tools[name].annotations
        assert hints.read_only_hint is False and hints.destructive_hint is False, name


async def test_orders_are_destructive_and_only_cancel_is_idempotent(tools):
    place, cancel = tools["place_order"].annotations, tools["cancel_order"].annotations
    assert place.destructive_hint is True and place.idempotent_hint is False
    assert cancel.destructive_hint is True and cancel.idempotent_hint is True
    assert tools["restart_gateway"].annotations.destructive_hint is True
    assert tools["reconnect"].annotations.destructive_hint is False
    # An open world is MCP's default: said only of the tools that stay in this service.
    assert tools["get_positions"].annotations.open_world_hint is None
    assert tools["restart_gateway"].annotations.open_world_hint is False
    assert tools["get_gateway_status"].annotations.open_world_hint is False


def _prop(tool, name):
    schema = tool.input_schema["properties"][name]
    return schema.get("anyOf", [schema])[0]


async def test_enums_and_constraints_are_in_the_input_schemas(tools):
    # msgspec lists an enum's values sorted; the declaration's Literal keeps the domain's order.
    history = tools["get_historical_data"]
    assert _prop(history, "bar_size")["enum"] == sorted(BAR_SIZES)
    assert _prop(history, "what_to_show")["enum"] == sorted(WHAT_TO_SHOW)
    assert _prop(history, "duration")["pattern"] == r"^[1-9][0-9]{0,5} [SDWMY]$"
    assert history.input_schema["required"] == ["contract_id"]
    order = tools["place_order"]
    assert _prop(order, "order_type")["enum"] == sorted(ORDER_TYPES)
    assert _prop(order, "time_in_force")["enum"] == sorted(TIME_IN_FORCE)
    assert _prop(order, "sec_type")["enum"] == sorted(SEC_TYPES)
    assert _prop(order, "quantity")["exclusiveMinimum"] == 0
    assert set(order.input_schema["required"]) == {"action", "quantity"}
    assert _prop(tools["get_gateway_logs"], "tail")["maximum"] == 5000  # as REST: one bound
    assert _prop(tools["get_tickers"], "contract_ids")["maxItems"] == 50
    filters = _prop(tools["get_options_chain"], "filters")
    assert set(filters["properties"]) == {"trading_class", "expirations", "strikes", "rights"}


async def test_limits_given_to_build_mcp_reach_schemas_and_descriptions(services):
    from entrypoints.mcp.server import build_mcp

    mcp = build_mcp(services, max_log_lines=40, max_bars=70, max_option_contracts=12)
    async with Client(mcp, timeout=10, init_timeout=10) as client:
        tools = {tool.name: tool for tool in await client.list_tools()}
    # The limits cap what an answer holds; the inputs keep the bounds REST has.
    assert "At most 40 lines" in tools["get_gateway_logs"].description
    assert _prop(tools["get_gateway_logs"], "tail")["maximum"] == 5000
    assert "{" not in tools["get_contract_details"].description
    # the server's limits cap a page whatever limit the caller asks for
    from domain.market_data import Bar, HistoricalData
    from entrypoints.catalog.operation import ResultLimits
    from entrypoints.mcp.tools import answer

    bars = [Bar(time=f"2025-01-{d:02d}", open=1, high=1, low=1, close=1, volume=1)
            for d in range(1, 31)]  # fmt: skip
    data = HistoricalData(symbol="AAPL", bars=bars)
    capped = answer(operation("get_historical_data"), data, ResultLimits(max_bars=7), None,
                    {"limit": 20})  # fmt: skip
    assert len(capped["bars"]) == 7 and capped["next_cursor"] == "2025-01-24"
    assert capped["total"] == 30 and capped["truncated"] is True


async def test_place_order_takes_every_order_request_field(tools):
    from domain.orders import OrderRequest

    assert set(tools["place_order"].input_schema["properties"]) == {
        *OrderRequest.__struct_fields__,
        "confirmation_token",
    }


async def test_preview_order_takes_the_same_order_fields_without_the_token(tools):
    from entrypoints.mcp.tools import undescribed

    place, preview = tools["place_order"].input_schema, tools["preview_order"].input_schema
    assert set(preview["properties"]) == set(place["properties"]) - {"confirmation_token"}
    for name, schema in preview["properties"].items():
        # The same rules; the words once, on place_order.
        assert schema == undescribed(place["properties"][name]), name
        assert "description" in place["properties"][name], name
    assert set(preview["required"]) == {"action", "quantity"}
    assert tools["preview_order"].annotations.read_only_hint is True  # nothing at the broker


async def test_output_schema_rejects_a_wrong_shape(tools):
    import jsonschema

    schema = tools["get_positions"].output_schema
    jsonschema.validate({"positions": [], "count": 0}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"positions": [{"symbol": "AAPL"}], "count": 1}, schema)

"""The OpenAPI document: every contract path with its operation id, described, at stable URLs."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

OPERATIONS = {
    ("get", "/gateway/status"): "get_gateway_status",
    ("get", "/gateway/logs"): "get_gateway_logs",
    ("post", "/gateway/restart"): "restart_gateway",
    ("get", "/ibkr/account/summary"): "get_account_summary",
    ("get", "/ibkr/account/values"): "get_account_values",
    ("get", "/ibkr/account/positions"): "get_positions",
    ("get", "/ibkr/portfolio"): "get_portfolio",
    ("get", "/ibkr/pnl"): "get_pnl",
    ("get", "/ibkr/pnl/{contract_id}"): "get_position_pnl",
    ("post", "/ibkr/orders/place"): "place_order",
    ("delete", "/ibkr/orders/{order_id}"): "cancel_order",
    ("patch", "/ibkr/orders/{order_id}"): "modify_order",
    ("get", "/ibkr/orders/{order_id}"): "get_order_status",
    ("get", "/ibkr/orders/open"): "get_open_orders",
    ("post", "/ibkr/orders/preview"): "preview_order",
    ("get", "/ibkr/orders/audit"): "get_order_audit",
    ("get", "/ibkr/orders/completed"): "get_completed_orders",
    ("post", "/ibkr/orders/bracket"): "place_bracket_order",
    ("post", "/ibkr/orders/bracket/preview"): "preview_bracket_order",
    ("post", "/ibkr/orders/cancel_all"): "cancel_all_orders",
    ("post", "/ibkr/options/exercise"): "exercise_option",
    ("post", "/ibkr/orders/oca"): "place_oca_orders",
    ("get", "/ibkr/executions"): "get_executions",
    ("get", "/ibkr/market_data/snapshot"): "get_market_data_snapshot",
    ("get", "/ibkr/market_data/tickers"): "get_tickers",
    ("get", "/ibkr/market_data/historical"): "get_historical_data",
    ("get", "/ibkr/market_data/head_timestamp"): "get_head_timestamp",
    ("get", "/ibkr/market_data/historical_ticks"): "get_historical_ticks",
    ("get", "/ibkr/market_data/histogram"): "get_histogram",
    ("get", "/ibkr/market_data/depth"): "get_market_depth",
    ("get", "/ibkr/market_data/ticks"): "get_tick_by_tick",
    ("get", "/ibkr/market_data/stream"): "stream_quotes",
    ("get", "/ibkr/market_data/bars/stream"): "stream_bars",
    ("get", "/ibkr/market_data/depth/stream"): "stream_market_depth",
    ("get", "/ibkr/market_data/ticks/stream"): "stream_tick_by_tick",
    ("get", "/ibkr/account/events/stream"): "stream_account_events",
    ("post", "/ibkr/subscriptions"): "open_subscription",
    ("get", "/ibkr/subscriptions"): "list_subscriptions",
    ("get", "/ibkr/subscriptions/{subscription_id}"): "read_subscription",
    ("delete", "/ibkr/subscriptions/{subscription_id}"): "close_subscription",
    ("get", "/ibkr/contract_details"): "get_contract_details",
    ("get", "/ibkr/contracts/search"): "search_symbols",
    ("get", "/ibkr/contracts/{contract_id}/market_rule"): "get_market_rules",
    ("get", "/ibkr/contracts/{contract_id}/hours"): "get_trading_hours",
    ("get", "/ibkr/contracts/{contract_id}/schedule"): "get_trading_schedule",
    ("get", "/ibkr/news/providers"): "get_news_providers",
    ("get", "/ibkr/contracts/{contract_id}/news"): "get_news",
    ("get", "/ibkr/news/article"): "get_news_article",
    ("get", "/ibkr/contracts/{contract_id}/fundamentals"): "get_fundamentals",
    ("get", "/ibkr/contracts/{contract_id}/events"): "get_corporate_events",
    ("get", "/ibkr/options_chain"): "get_options_chain",
    ("get", "/ibkr/options_chain/quotes"): "get_option_chain_quotes",
    ("get", "/ibkr/options/{contract_id}/implied_volatility"): "calculate_implied_volatility",
    ("get", "/ibkr/options/{contract_id}/price"): "calculate_option_price",
    ("get", "/ibkr/scanner/results"): "get_scanner_results",
    ("get", "/ibkr/scanner/parameters"): "get_scanner_parameters",
    ("get", "/ibkr/connection/status"): "get_connection_status",
    ("post", "/ibkr/connection/reconnect"): "reconnect",
    ("get", "/health"): "get_health",
    ("get", "/health/live"): "get_liveness",
}
CONTRACT_PARAMETERS = {
    "/gateway/logs": {"tail"},
    "/ibkr/account/summary": {"account_id"},
    "/ibkr/market_data/snapshot": {"contract_id", "symbol", "sec_type", "exchange", "currency"},
    "/ibkr/market_data/historical": {"contract_id", "duration", "bar_size", "what_to_show", "use_rth"},
    "/ibkr/contract_details": {"symbol", "sec_type", "exchange", "primary_exchange", "currency", "options"},
    "/ibkr/options_chain": {"underlying_symbol", "underlying_sec_type", "underlying_con_id", "exchange", "filters"},
    "/ibkr/scanner/results": {"instrument", "location_code", "filter_codes", "above_price", "below_price",
                              "above_volume", "market_cap_above", "market_cap_below"},
    "/ibkr/orders/{order_id}": {"order_id"},
    "/ibkr/executions": {"since", "symbol", "side", "limit"},
    "/ibkr/orders/completed": {"limit"},
}  # fmt: skip


@pytest.fixture
def schema(client: TestClient) -> dict[str, Any]:
    response = client.get("/docs/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_every_operation_at_its_contract_path_with_its_id(schema: dict[str, Any]) -> None:
    found = {
        (method, path): operation["operationId"]
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    }
    assert found == OPERATIONS


def test_contract_parameters_are_documented(schema: dict[str, Any]) -> None:
    for path, names in CONTRACT_PARAMETERS.items():
        for operation in schema["paths"][path].values():
            documented = {p["name"] for p in operation.get("parameters", [])}
            assert names <= documented, f"{path} lacks {names - documented}"


def test_place_order_documents_body_and_idempotency_header(schema: dict[str, Any]) -> None:
    operation = schema["paths"]["/ibkr/orders/place"]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/OrderInput"
    }
    body = schema["components"]["schemas"]["OrderInput"]
    assert set(body["required"]) == {"action", "quantity"}
    assert body["additionalProperties"] is False
    assert set(body["properties"]["order_type"]["enum"]) == {
        *("MKT", "LMT", "STP", "STP LMT", "TRAIL", "TRAIL LIMIT"),
        *("MOC", "LOC", "MIT", "LIT", "REL", "MIDPRICE"),
    }
    headers = {p["name"]: p for p in operation["parameters"] if p["in"] == "header"}
    assert set(headers) == {"Idempotency-Key", "Confirmation-Token"}
    assert not any(header["required"] for header in headers.values())


def test_operations_are_described_for_newcomers(schema: dict[str, Any]) -> None:
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            assert len(operation.get("description", "")) > 40, path


def test_errors_are_documented_in_the_one_shape(schema: dict[str, Any]) -> None:
    error_ref = {"$ref": "#/components/schemas/ErrorBody"}
    assert {"error", "code", "status"} <= set(
        schema["components"]["schemas"]["ErrorBody"]["required"]
    )
    for path, operations in schema["paths"].items():
        for status, response in next(iter(operations.values()))["responses"].items():
            if status.startswith(("4", "5")) and path != "/health":
                assert response["content"]["application/json"]["schema"] == error_ref, (
                    path,
                    status,
                )


def test_title_and_docs_page(client: TestClient, schema: dict[str, Any]) -> None:
    assert schema["info"]["title"] == "ibkr-mcp"
    page = client.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "swagger-ui" in page.text and "get_account_summary" in page.text

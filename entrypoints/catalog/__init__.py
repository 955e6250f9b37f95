"""The catalog: every operation of the API, declared once (``operation.Operation``).

The REST door (``entrypoints/http/operations.py``) and the MCP door
(``entrypoints/mcp/tools.py``) are both rendered from ``CATALOG``. To add an operation,
declare it in the module of its area (or a new one, added below with its MCP toolset, one
of ``entrypoints/toolsets.py``), give it a service method, and test it; nothing else names
its parameters. This package imports no web or MCP
framework (an import-linter contract says so).
"""

from __future__ import annotations

from dataclasses import replace

from entrypoints.catalog import (
    account,
    account_actions,
    activity,
    combined_orders,
    connection,
    contracts,
    fundamentals,
    history_extras,
    live,
    market_data,
    modify,
    news,
    oca_orders,
    option_exercise,
    option_quotes,
    orders,
    portfolio,
    research,
    scanner,
    subscriptions,
    system,
)
from entrypoints.catalog.operation import Operation


def _in(toolset: str, operations: tuple[Operation, ...]) -> tuple[Operation, ...]:
    """The operations of an area module, in the MCP toolset of that area unless one names
    its own (historical bars and option chains, which research needs more than trading)."""
    return tuple(replace(op, toolset=op.toolset or toolset) for op in operations)


CATALOG: tuple[Operation, ...] = (
    *_in("gateway", system.OPERATIONS),
    *_in("connection", connection.OPERATIONS),
    *_in("account", account.OPERATIONS),
    *_in("portfolio", portfolio.OPERATIONS),
    *_in("orders", orders.OPERATIONS),
    *_in("orders_advanced", modify.OPERATIONS),
    *_in("orders_advanced", combined_orders.OPERATIONS),
    *_in("orders_advanced", oca_orders.OPERATIONS),
    *_in("orders_advanced", account_actions.OPERATIONS),
    *_in("orders_advanced", option_exercise.OPERATIONS),
    *_in("activity", activity.OPERATIONS),
    *_in("market_data", market_data.OPERATIONS),
    *_in("history", history_extras.OPERATIONS),
    *_in("live", live.OPERATIONS),
    *_in("live", subscriptions.OPERATIONS),
    *_in("contracts", contracts.OPERATIONS),
    *_in("reference", research.OPERATIONS),
    *_in("news", news.OPERATIONS),
    *_in("fundamentals", fundamentals.OPERATIONS),
    *_in("option_quotes", option_quotes.OPERATIONS),
    *_in("scanner", scanner.OPERATIONS),
)


def operation(name: str) -> Operation:
    """The operation of that name (the REST operation id, the MCP tool name)."""
    for candidate in CATALOG:
        if candidate.name == name:
            return candidate
    raise KeyError(name)

"""The catalog: every operation of the API, declared once (``operation.Operation``).

The REST door (``entrypoints/http/operations.py``) and the MCP door
(``entrypoints/mcp/tools.py``) are both rendered from ``CATALOG``. To add an operation,
declare it in the module of its area (or a new one, added below), give it a service method,
and test it; nothing else names its parameters. This package imports no web or MCP
framework (an import-linter contract says so).
"""

from __future__ import annotations

from entrypoints.catalog import (
    account,
    account_actions,
    activity,
    combined_orders,
    contracts,
    market_data,
    modify,
    oca_orders,
    orders,
    portfolio,
    scanner,
    system,
)
from entrypoints.catalog.operation import Operation

CATALOG: tuple[Operation, ...] = (
    *system.OPERATIONS,
    *account.OPERATIONS,
    *portfolio.OPERATIONS,
    *orders.OPERATIONS,
    *modify.OPERATIONS,
    *combined_orders.OPERATIONS,
    *oca_orders.OPERATIONS,
    *account_actions.OPERATIONS,
    *activity.OPERATIONS,
    *market_data.OPERATIONS,
    *contracts.OPERATIONS,
    *scanner.OPERATIONS,
)


def operation(name: str) -> Operation:
    """The operation of that name (the REST operation id, the MCP tool name)."""
    for candidate in CATALOG:
        if candidate.name == name:
            return candidate
    raise KeyError(name)

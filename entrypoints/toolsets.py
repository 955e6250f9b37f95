"""MCP toolsets and tool profiles: which operations the MCP door lists and runs.

Every operation of the catalog belongs to one toolset, named after its area
(``entrypoints/catalog/__init__.py`` stamps it per area module). A profile is a named set
of toolsets; the ``read-only`` profile also keeps only the queries. An agent then sees a
short ``tools/list`` instead of every operation; REST is unaffected (it serves them all).
Toolsets trim what an agent is shown, they guard nothing: ``--read-only`` and the trading
guardrails are the safety switches.

Pure data (no catalog import), so that settings can check names without loading the catalog.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from entrypoints.catalog.operation import Operation

# name -> what its tools do (the README and the server instructions show these words).
TOOLSETS: dict[str, str] = {
    "account": "account figures and positions",
    "orders": "preview, place and cancel orders; open orders, order status, audit trail",
    "market_data": "quotes of one or many instruments",
    "contracts": "contract lookup (the con_id every other tool takes)",
    "orders_advanced": "modify working orders, brackets, OCA groups, cancel all, exercise options",
    "history": "historical bars and ticks, earliest data, volume by price",
    "options": "option chains",
    "connection": "the broker session and the service's health",
    "portfolio": "positions with market value, daily and per-position PnL",
    "activity": "executions and completed orders",
    "live": "market depth, tick-by-tick data and cursor subscriptions to live data",
    "scanner": "market scanners",
    "reference": "symbol search, price increments (market rules), trading hours and schedules",
    "news": "news providers, headlines of a stock and articles",
    "fundamentals": "company fundamentals (IB's reports as fields) and corporate events",
    "option_quotes": "option chains with quotes and greeks, implied volatility and price "
    "calculators",
    "gateway": "the IB Gateway: status, logs, restart",
}


@dataclass(frozen=True, slots=True)
class Profile:
    toolsets: tuple[str, ...]
    queries_only: bool  # leaves out every operation that is not a query by nature
    description: str


PROFILES: dict[str, Profile] = {
    # Every tool the original API contract names (all its endpoints are MCP tools), with
    # the previews that placing needs: what an agent of an earlier version still finds.
    "standard": Profile(
        (
            "account",
            "orders",
            "market_data",
            "contracts",
            "history",
            "options",
            "scanner",
            "connection",
            "gateway",
        ),
        queries_only=False,
        description="every tool of the original API, with previews: account, orders, "
        "market_data, contracts, history, options, scanner, connection, gateway",
    ),
    "trading": Profile(
        ("account", "orders", "market_data", "contracts"),
        queries_only=False,
        description="look up, quote and trade: account, orders, market_data, contracts",
    ),
    "read-only": Profile(
        tuple(name for name in TOOLSETS if name not in ("orders_advanced", "live", "gateway")),
        queries_only=True,
        description="look, never touch: the queries of every toolset but orders_advanced, "
        "live and gateway",
    ),
    "research": Profile(
        ("market_data", "contracts", "history", "options", "scanner", "live"),
        queries_only=False,
        description="markets, no account: market_data, contracts, history, options, scanner, live",
    ),
    "full": Profile(tuple(TOOLSETS), queries_only=False, description="every toolset"),
}
DEFAULT_PROFILE = "standard"


@dataclass(frozen=True, slots=True)
class ToolSelection:
    """The toolsets an MCP server offers, and whether only queries among them."""

    toolsets: frozenset[str]
    queries_only: bool = False

    def offers(self, op: Operation) -> bool:
        if op.toolset not in self.toolsets:
            return False
        return not self.queries_only or is_query(op)

    def why_not(self, op: Operation) -> str:
        """Why an operation it does not offer is left out, in words for an agent."""
        if op.toolset not in self.toolsets:
            return (
                f"it is in the {op.toolset} toolset, and this server offers "
                f"{', '.join(sorted(self.toolsets))}; the operator enables it with "
                f"--toolsets (IBKR_MCP_TOOLSETS) or --tool-profile full"
            )
        return "this server offers queries only (--tool-profile read-only)"


def is_query(op: Operation) -> bool:
    """Reads and changes nothing, not even a preview's token: the QUERY natures."""
    return op.nature.effect.value == "read" and op.nature.offered_read_only


def select(toolsets: tuple[str, ...] = (), profile: str = DEFAULT_PROFILE) -> ToolSelection:
    """The profile's selection; ``toolsets``, when given, replace the profile's toolsets.

    Raises ValueError naming the valid names for an unknown profile or toolset."""
    chosen = PROFILES.get(profile)
    if chosen is None:
        raise ValueError(
            f"unknown tool profile {profile!r}; the profiles are {', '.join(PROFILES)}"
        )
    unknown = [name for name in toolsets if name not in TOOLSETS]
    if unknown:
        raise ValueError(
            f"unknown toolset{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}; "
            f"the toolsets are {', '.join(TOOLSETS)}"
        )
    return ToolSelection(frozenset(toolsets or chosen.toolsets), chosen.queries_only)


EVERY_TOOL = ToolSelection(frozenset(TOOLSETS))

"""The MCP front door: one tool per operation of the catalog, calling the services directly."""

from __future__ import annotations

from fastmcp import FastMCP

from application.container import Services
from entrypoints.catalog import CATALOG
from entrypoints.catalog.operation import ResultLimits
from entrypoints.catalog.streams import STREAMS
from entrypoints.mcp.middleware import ToolCalls
from entrypoints.mcp.prompts import add_prompts
from entrypoints.mcp.resources import add_resources
from entrypoints.mcp.tool_index import ToolIndex
from entrypoints.mcp.tools import operation_tools
from entrypoints.mcp.watch import COALESCE_SECONDS, ResourceWatches
from entrypoints.metrics import ServiceMetrics
from entrypoints.toolsets import EVERY_TOOL, TOOLSETS, ToolSelection
from entrypoints.version import package_version

# REST operations deliberately not offered as tools, with the reason. Every other REST
# operation id must be a tool of the same name (tests/mcp/test_parity.py checks both ways).
EXCLUDED_OPERATIONS: dict[str, str] = {
    "get_liveness": "a process probe for orchestrators; get_health tells an agent more",
    **{
        stream.name: "a server-sent event stream, which a tool call cannot answer; MCP clients "
        "read the same data with open_subscription/read_subscription, or subscribe to "
        "ibkr://quotes/{contract_id}, ibkr://orders/open and ibkr://account/positions"
        for stream in STREAMS
    },
}
# Left out as well when the service runs read-only (--read-only): order actions, restarts.
READ_ONLY_EXCLUDED: dict[str, str] = {
    op.name: "the service runs read-only" for op in CATALOG if not op.nature.offered_read_only
}

# The server's instructions, a paragraph per job, each shown when its tools are offered.
INTRO = """\
Tools for one Interactive Brokers (IB) account behind an IB Gateway. Toolsets offered here:
{toolsets}."""
CONTRACTS = """\
Contracts: IB names every instrument by a numeric con_id. Find it with get_contract_details
(symbol + sec_type + currency), then pass it as contract_id."""
ORDERS = """\
Orders are real: check the account, the position and a quote first, and give place_order a
client_order_id so that a retry cannot place the order twice. To place an order: call
preview_order (same arguments as place_order) to learn its commission and margin impact, show
that to the user and ask them to confirm, then call place_order with the identical arguments
plus the confirmation_token the preview returned (single use, it expires within minutes; a
changed order needs a new preview). The operator may cap quantity, order value, security
types, symbols and orders per minute: a refusal names the rule, and nothing reached IB.
get_order_audit lists what was already done."""
CONNECTION = """\
When a tool reports not_connected, wait the seconds it names or call reconnect; get_health
summarises the state."""
NOT_CONNECTED = """\
When a tool reports not_connected, wait the seconds it names and try again."""
READ_ONLY_NOTE = """\
This service runs READ-ONLY: orders cannot be previewed, placed or cancelled, and the gateway
cannot be restarted; those tools are not offered."""
QUERIES_ONLY_NOTE = """\
This server offers queries only (tool profile read-only): nothing here changes the account."""


def instructions(offered: set[str], selection: ToolSelection, *, read_only: bool) -> str:
    """What an agent reads first, naming only tools it is offered."""
    toolsets = [name for name in TOOLSETS if name in selection.toolsets]
    parts = [INTRO.format(toolsets="; ".join(f"{name} ({TOOLSETS[name]})" for name in toolsets))]
    if "get_contract_details" in offered:
        parts.append(CONTRACTS)
    if {"preview_order", "place_order", "get_order_audit"} <= offered:
        parts.append(ORDERS)
    parts.append(CONNECTION if {"reconnect", "get_health"} <= offered else NOT_CONNECTED)
    if read_only:
        parts.append(READ_ONLY_NOTE)
    elif selection.queries_only:
        parts.append(QUERIES_ONLY_NOTE)
    return "\n\n".join(parts)


def build_mcp(
    services: Services,
    *,
    name: str = "ibkr-mcp",
    max_option_contracts: int = 100,
    max_bars: int = 500,
    max_log_lines: int = 500,
    read_only: bool | None = None,
    selection: ToolSelection = EVERY_TOOL,
    output_schemas: bool = True,
    metrics: ServiceMetrics | None = None,
    notify_interval: float = COALESCE_SECONDS,
) -> FastMCP:
    """The MCP server: tools, resources and prompts over ``services`` (no HTTP hop).

    ``read_only`` (default: the services' policy) leaves out every state-changing tool.
    ``selection`` (default: every toolset) says which tools are listed and callable; a call
    to one left out is refused with the reason, a prompt that names one is not offered.
    ``output_schemas`` advertises each tool's output schema (the service's default is off:
    they triple the size of ``tools/list``, and results say what they hold anyway).
    Tool calls are counted and timed in ``metrics`` when given. With a live feed, resources
    can be subscribed to: at most one update notification per resource per
    ``notify_interval`` seconds (``watch.py``; ``mcp_asgi_app`` turns it off when stateless).
    """
    if read_only is None:
        read_only = services.policy.read_only
    # Masking only affects errors we did not map: those become a generic message, no details.
    limits = ResultLimits(
        max_option_contracts=max_option_contracts, max_bars=max_bars, max_log_lines=max_log_lines
    )
    tools = operation_tools(
        services,
        limits=limits,
        read_only=read_only,
        selection=selection,
        output_schemas=output_schemas,
    )
    offered = {tool.name for tool in tools}
    mcp = FastMCP(
        name,
        instructions=instructions(offered, selection, read_only=read_only),
        # Our own version in serverInfo, not FastMCP's (its default).
        version=package_version(),
        mask_error_details=True,
        # Our schemas have no references to inline (entrypoints/catalog/schema.py inlines
        # them): FastMCP's middleware that would do it is one more layer around every call.
        dereference_schemas=False,
        # Every tool error passes the redactor, whichever part of the server raised it; tool
        # calls are counted and logged (entrypoints/mcp/middleware.py).
        middleware=[
            ToolCalls(
                left_out(offered, selection, read_only=read_only), metrics, frozenset(offered)
            )
        ],
    )
    for tool in tools:
        mcp.add_tool(tool)
    mcp.add_transform(ToolIndex(tools))  # a call finds its tool in a dict
    add_resources(mcp, services)
    if services.streams is not None:
        ResourceWatches(services.streams, interval=notify_interval).install(mcp)
    add_prompts(mcp, offered)
    return mcp


def left_out(offered: set[str], selection: ToolSelection, *, read_only: bool) -> dict[str, str]:
    """Operation name -> why it is not a tool of this server, for those of the catalog."""
    return {
        op.name: (
            READ_ONLY_EXCLUDED[op.name]
            if read_only and op.name in READ_ONLY_EXCLUDED
            else selection.why_not(op)
        )
        for op in CATALOG
        if op.name not in offered
    }

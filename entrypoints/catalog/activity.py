"""What happened to the orders: executions (fills with commissions) and completed orders."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import Meta

from domain.errors import InvalidRequest
from domain.executions import MAX_ACTIVITY, CompletedOrder, Execution, ExecutionQuery
from entrypoints.catalog.fields import ActionName, Text32, normalize, upper_words
from entrypoints.catalog.operation import BROKER_ERRORS, QUERY, Mcp, Operation, Paging, Rest
from entrypoints.catalog.paging import cursor_extra

TIME_FORMAT = "an ISO 8601 time with its zone, e.g. 2025-03-04T14:30:00Z"

Limit = Annotated[
    Annotated[int, Meta(ge=1, le=MAX_ACTIVITY)] | None,
    Meta(
        description=f"At most this many, the newest first (1-{MAX_ACTIVITY}; default 100, 30 "
        "on MCP)",
        examples=[50],
    ),
]
# ~500 bytes an entry: 30 are ~15 KB. The use case reads them all (at most MAX_ACTIVITY);
# each door cuts its page (REST keeps its default of 100).
EXECUTIONS = Paging(key=lambda e: e.exec_id, mcp_default=30, maximum=MAX_ACTIVITY,
                    rest_default=100, what="executions")  # fmt: skip
COMPLETED = Paging(key=lambda o: o.perm_id, mcp_default=30, maximum=MAX_ACTIVITY,
                   rest_default=100, what="completed orders")  # fmt: skip


class ExecutionsInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    since: Annotated[
        Annotated[datetime, Meta(tz=True)] | None,
        Meta(
            description="Only executions at or after this time, ISO 8601 with a zone",
            examples=["2025-03-04T14:30:00Z"],
            extra={"format": TIME_FORMAT},
        ),
    ] = None
    symbol: Annotated[
        Text32 | None,
        Meta(description="Only executions of this ticker symbol, e.g. AAPL", examples=["AAPL"]),
    ] = None
    side: Annotated[
        ActionName | None,
        Meta(
            description="Only buys (BUY) or only sells (SELL)",
            examples=["BUY"],
            extra=normalize(upper_words),
        ),
    ] = None
    limit: Limit = None

    def query(self) -> ExecutionQuery:
        return ExecutionQuery(since=self.since, symbol=self.symbol, side=self.side,
                              limit=MAX_ACTIVITY)  # fmt: skip


class CompletedOrdersInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    limit: Limit = None


OPERATIONS = (
    Operation(
        name="get_executions",
        title="Executions (fills) with commissions",
        description="""The account's executions (fills), newest first, each with the commission IB charged.

One entry per fill: exec_id, the order it belongs to (order_id, perm_id, client_order_id),
the instrument, side (BUY or SELL), quantity, price and currency, time (UTC), exchange, the
commission and its currency (null until IB reported it), and realized_pnl (net of commissions)
when the fill closed some of a position (null when it opened or added to one). IB reports the
current trading day's executions. Narrow with since, symbol and side; at most limit entries.""",
        input=ExecutionsInput,
        output=list[Execution],
        nature=QUERY,
        errors=(InvalidRequest, *BROKER_ERRORS),
        call=lambda q, c: c.services.activity.executions(q.query()),
        rest=Rest("/ibkr/executions", tag="orders"),
        mcp=Mcp(list_key="executions"),
        extras=(cursor_extra(),),
        paging=EXECUTIONS,
    ),
    Operation(
        name="get_completed_orders",
        title="Completed orders",
        description="""Orders that are over (Filled, Cancelled, Inactive), newest first, as IB lists them.

Each gives IB's permanent id (perm_id), the order id when it can be told (from the order's
executions), the client_order_id, the instrument, side, type, quantity, prices, time in force,
final status, filled quantity, average fill price and completion time (from its executions,
null when IB no longer reports them). IB keeps the current trading day's. At most limit
entries.""",
        input=CompletedOrdersInput,
        output=list[CompletedOrder],
        nature=QUERY,
        errors=(InvalidRequest, *BROKER_ERRORS),
        call=lambda _, c: c.services.activity.completed_orders(MAX_ACTIVITY),
        rest=Rest("/ibkr/orders/completed", tag="orders"),
        mcp=Mcp(list_key="completed_orders"),
        extras=(cursor_extra(),),
        paging=COMPLETED,
    ),
)

"""What happened to orders: executions (fills, with their commissions) and completed orders."""

from __future__ import annotations

from datetime import datetime

import msgspec

# How many executions or completed orders one answer may hold.
MAX_ACTIVITY = 1000


class ExecutionQuery(msgspec.Struct, frozen=True, kw_only=True):
    """Which executions: at or after ``since``, of ``symbol``, on ``side``, the newest ``limit``."""

    since: datetime | None = None
    symbol: str | None = None
    side: str | None = None  # BUY or SELL
    limit: int = 100


class Execution(msgspec.Struct, frozen=True, kw_only=True):
    """One fill at IB; the commission IB charged for it arrives in a separate report."""

    exec_id: str
    order_id: int | None  # None when IB does not say (an order from TWS or before a restart)
    perm_id: int
    client_order_id: str | None
    account_id: str
    contract_id: int
    symbol: str
    sec_type: str
    side: str  # BUY or SELL
    quantity: float
    price: float
    time: datetime
    exchange: str
    currency: str  # of the price: the contract's currency
    commission: float | None  # None until IB sent its commission report
    commission_currency: str | None
    # Net of commissions; None for a fill that opened or added to a position (IB sends none).
    realized_pnl: float | None


class CompletedOrder(msgspec.Struct, frozen=True, kw_only=True):
    """An order that is over (filled, cancelled or inactive), as IB's completed orders list it."""

    perm_id: int
    order_id: int | None  # recovered from its executions when IB's list leaves it out
    client_order_id: str | None
    account_id: str
    contract_id: int
    symbol: str
    sec_type: str
    action: str
    order_type: str
    quantity: float
    limit_price: float | None
    stop_price: float | None
    time_in_force: str
    status: str
    filled_quantity: float
    average_fill_price: float | None  # from its executions, when IB still reports them
    completed_time: datetime | None  # the time of its last execution, when known

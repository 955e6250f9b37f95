"""How much of its past the simulated exchange keeps: finished orders and fills.

Every working order is kept, whatever its age. Of the finished ones (filled, cancelled,
inactive) the exchange keeps the ``FINISHED_KEPT`` most recent, and of the fills the
``FILLS_KEPT`` most recent: what completed orders and executions requests report. A real
gateway forgets them too (overnight); here a long run under steady trading would otherwise
grow without a limit. A finished parent that a working child still names is kept.
"""

from __future__ import annotations

from adapters.simulated_gateway.model import Fill

from .working_order import WorkingOrder

FINISHED_KEPT = 1000
FILLS_KEPT = 5000


def forget_finished(orders: dict[int, WorkingOrder], keep: int) -> list[int]:
    """Drop the oldest finished orders beyond the most recent ``keep`` (orders are in the
    order they were placed); the ids dropped."""
    if len(orders) <= keep:
        return []
    parents = {w.spec.parent_id for w in orders.values() if w.live and w.spec.parent_id}
    finished = [oid for oid, w in orders.items() if not w.live and oid not in parents]
    gone = finished[: max(0, len(finished) - keep)]
    for oid in gone:
        del orders[oid]
    return gone


def forget_fills(fills: list[Fill], keep: int) -> None:
    """Keep only the ``keep`` most recent fills (in place)."""
    if len(fills) > keep:
        del fills[: len(fills) - keep]

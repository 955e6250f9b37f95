"""What happened to the orders: executions (fills with commissions) and completed orders."""

from __future__ import annotations

from datetime import UTC, datetime

from application.ports import Broker
from domain.errors import InvalidRequest
from domain.executions import MAX_ACTIVITY, CompletedOrder, Execution, ExecutionQuery

_EARLIEST = datetime.min.replace(tzinfo=UTC)


class ActivityService:
    def __init__(self, broker: Broker) -> None:
        self._broker = broker

    async def executions(self, query: ExecutionQuery) -> list[Execution]:
        """The newest ``query.limit`` executions that match, newest first."""
        _check_limit(query.limit)
        if query.since is not None and query.since.tzinfo is None:
            raise InvalidRequest(
                "since needs a time zone, e.g. 2025-03-04T14:30:00Z", field="since"
            )
        found = await self._broker.executions(query)
        found.sort(key=lambda e: (e.time, e.exec_id), reverse=True)
        return found[: query.limit]

    async def completed_orders(self, limit: int = 100) -> list[CompletedOrder]:
        """The newest ``limit`` completed orders (filled, cancelled, inactive), newest first."""
        _check_limit(limit)
        found = await self._broker.completed_orders()
        found.sort(key=lambda o: (o.completed_time or _EARLIEST, o.perm_id), reverse=True)
        return found[:limit]


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_ACTIVITY:
        raise InvalidRequest(f"limit must be 1-{MAX_ACTIVITY}; got {limit}", field="limit")

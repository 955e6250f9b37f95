"""Executions with their commissions, and the account's completed orders.

IB reports an execution (execDetails) and its commission (commissionReport, keyed by execId)
as two messages. ib_async attaches the report to the fill it first saw under that execId: when
``reqExecutions`` reports an execution this session already saw live, the fill in the answer is
a fresh copy without it, so the report is read from the session's own fill.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ib_async import ExecutionFilter, Fill, Trade

from adapters.ib import mapping
from adapters.ib.bookkeeping import forget_old_trades
from adapters.ib.calls import IbCalls
from adapters.ib.pacing import SingleFlight
from domain.executions import CompletedOrder, Execution, ExecutionQuery

_SIDES = {"BOT": "BUY", "SLD": "SELL", "BUY": "BUY", "SELL": "SELL"}
# Finished orders and fills ib_async may keep (see bookkeeping.forget_old_trades).
FINISHED_KEPT = 1000


class IbExecutions:
    def __init__(self, calls: IbCalls, *, finished_kept: int = FINISHED_KEPT) -> None:
        self._calls = calls
        self._finished_kept = finished_kept
        self._flight = SingleFlight()

    async def executions(self, query: ExecutionQuery) -> list[Execution]:
        """IB's executions matching the query (IB reports the current day's, at least)."""
        wanted = ExecutionFilter(
            symbol=query.symbol or "",
            side=query.side or "",
            time=_filter_time(query.since),
        )
        fills = await self._fills(wanted)
        out = [execution(self._reported(fill)) for fill in fills]
        return [e for e in out if _matches(e, query)]

    async def completed_orders(self) -> list[CompletedOrder]:
        """The account's completed orders, with ids, prices and times from its executions."""
        trades: list[Trade] = await self._flight.run(
            "completedOrders",
            lambda: self._calls.run(
                "the completed orders",
                lambda ib: ib.reqCompletedOrdersAsync(False),
                serial="completedOrders",
            ),
        )
        by_perm: dict[int, list[Fill]] = {}
        for fill in await self._fills(ExecutionFilter()):
            by_perm.setdefault(fill.execution.permId, []).append(fill)
        return [completed_order(t, by_perm.get(t.order.permId, [])) for t in trades]

    async def _fills(self, wanted: ExecutionFilter) -> list[Fill]:
        fills: list[Fill] = await self._calls.run(
            "the executions", lambda ib: ib.reqExecutionsAsync(wanted)
        )
        forget_old_trades(self._calls.require().wrapper, self._finished_kept)
        return fills

    def _reported(self, fill: Fill) -> Fill:
        """The session's own fill for this execution when it holds the commission report."""
        known = self._calls.require().wrapper.fills.get(fill.execution.execId)
        if known is not None and known.commissionReport.execId:
            return known
        return fill


def execution(fill: Fill) -> Execution:
    e, contract, report = fill.execution, fill.contract, fill.commissionReport
    reported = bool(report.execId)
    realized = mapping.number(report.realizedPNL) if reported else None
    return Execution(
        exec_id=e.execId,
        order_id=e.orderId or None,
        perm_id=e.permId,
        client_order_id=e.orderRef or None,
        account_id=e.acctNumber,
        contract_id=contract.conId,
        symbol=contract.symbol,
        sec_type=contract.secType,
        side=_SIDES.get(e.side, e.side),
        quantity=float(e.shares),
        price=e.price,
        time=_aware(e.time),
        exchange=e.exchange,
        currency=contract.currency,
        commission=mapping.number(report.commission) if reported else None,
        commission_currency=(report.currency or None) if reported else None,
        # ib_async turns IB's "none" (an opening fill) into 0.0; a real result is never exactly 0
        realized_pnl=realized if realized else None,
    )


def completed_order(trade: Trade, fills: list[Fill]) -> CompletedOrder:
    order, contract = trade.order, trade.contract
    shares = sum(f.execution.shares for f in fills)
    average = (
        sum(f.execution.price * f.execution.shares for f in fills) / shares if shares else None
    )
    filled = mapping.number(order.filledQuantity) or shares
    return CompletedOrder(
        perm_id=order.permId,
        order_id=order.orderId or next((f.execution.orderId for f in fills), None) or None,
        client_order_id=order.orderRef or None,
        account_id=order.account,
        contract_id=contract.conId,
        symbol=contract.symbol,
        sec_type=contract.secType,
        action=order.action,
        order_type=order.orderType,
        quantity=mapping.number(order.totalQuantity) or 0.0,
        limit_price=mapping.number(order.lmtPrice)
        if order.orderType in ("LMT", "STP LMT")
        else None,
        stop_price=mapping.number(order.auxPrice)
        if order.orderType in ("STP", "STP LMT")
        else None,
        time_in_force=order.tif,
        status=trade.orderStatus.status,
        filled_quantity=float(filled),
        average_fill_price=round(average, 8) if average is not None else None,
        completed_time=max((_aware(f.execution.time) for f in fills), default=None),
    )


def _filter_time(since: datetime | None) -> str:
    # IB's execution filter reads "yyyymmdd-hh:mm:ss" as UTC.
    return since.astimezone(UTC).strftime("%Y%m%d-%H:%M:%S") if since is not None else ""


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _matches(e: Execution, query: ExecutionQuery) -> bool:
    # IB filters too; this keeps the answer exact whatever the gateway's filter does.
    return (
        (query.since is None or e.time >= query.since)
        and (not query.symbol or e.symbol == query.symbol)
        and (not query.side or e.side == query.side)
    )

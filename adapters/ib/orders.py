"""Placing, finding and cancelling orders; listing the account's open orders.

An answer is always IB's: place returns once IB acknowledged (or rejected) the order, cancel
once IB confirmed the final state. Nothing is queued while disconnected. The idempotency key
travels to IB as the order's ``orderRef``, so it is found again after a reconnect or a restart.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Any

import msgspec.structs
from ib_async import IB, Order, Trade

from adapters.ib import errors, mapping
from adapters.ib.bookkeeping import forget_old_trades
from adapters.ib.calls import IbCalls
from adapters.ib.notices import ErrorWatch
from adapters.ib.pacing import FreshFlight, SingleFlight, TtlCache
from application.ports import Clock
from domain.contract import Contract
from domain.errors import BrokerTimeout, NotConnected, ReadOnly
from domain.orders import CancelResult, OpenOrder, OrderRequest, OrderResult

# IB knows the order once it reports one of these (Inactive: accepted but not working).
ACKNOWLEDGED = frozenset(
    {"ApiPending", "PreSubmitted", "Submitted", "Filled", "Cancelled", "ApiCancelled", "Inactive"}
)
DONE = frozenset({"Filled", "Cancelled", "ApiCancelled"})
_STATE = re.compile(r"state:\s*(\w+)")
Judge = Callable[[Trade, ErrorWatch], Any]
# IB's completed orders (which carry no order id) cover the trading day: a day is enough.
KEY_MEMORY_SECONDS = 24 * 3600.0
KEYS_KEPT = 10_000
# Finished orders ib_async keeps in the session (about 9 KB each); the rest IB reports on demand.
FINISHED_KEPT = 1000


class IbOrders:
    def __init__(
        self,
        calls: IbCalls,
        clock: Clock,
        *,
        keys_kept: int = KEYS_KEPT,
        finished_kept: int = FINISHED_KEPT,
    ) -> None:
        self._calls = calls
        self._finished_kept = finished_kept
        # idempotency key -> order id, for completed orders found after a reconnect; bounded
        # in time and number (the oldest go first), however many keyed orders callers send.
        self._ids_by_key: TtlCache[int] = TtlCache(clock, KEY_MEMORY_SECONDS, keys_kept)
        self._flight = SingleFlight()
        # look-ups of a key or an order share requests that began after they were made
        self._fresh_open = FreshFlight()
        self._fresh_completed = FreshFlight()

    def _check_writable(self) -> None:
        if self._calls.settings.readonly:
            raise ReadOnly("This service runs read-only: orders cannot be placed or cancelled")

    async def place(self, contract: Contract, request: OrderRequest) -> OrderResult:
        self._check_writable()
        ib = self._calls.require(trading=True)
        managed = ib.managedAccounts()
        default = self._calls.settings.account or (managed[0] if len(managed) == 1 else None)
        ib_order = mapping.to_ib_order(request, account=default)
        try:
            trade = ib.placeOrder(mapping.to_ib_contract(contract), ib_order)
        except ConnectionError as exc:
            raise errors.translate(exc, "placing the order") from exc
        order_id = trade.order.orderId
        if request.client_order_id:
            self._ids_by_key.put(request.client_order_id, order_id)
        timeout = self._calls.settings.order_ack_timeout
        forget_old_trades(ib.wrapper, self._finished_kept)
        with self._calls.supervisor.watch(order_id) as watch:
            result: OrderResult | None = await settle(ib, trade, watch, timeout, _placed)
        if result is None:
            raise BrokerTimeout(
                f"IB did not acknowledge order {order_id} within {timeout:g} s; it may still "
                "reach the market: check open orders, or retry with the same client_order_id",
                order_id=order_id,
            )
        return result

    async def find(self, client_order_id: str) -> OrderResult | None:
        """This session's order with that key, else the account's open and completed orders."""
        ib = self._calls.require()
        trade = _by_ref(ib.trades(), client_order_id)
        if trade is None:
            trade = _by_ref(await self._fresh_open.run(self._request_open), client_order_id)
        if trade is None:
            trade = _by_ref(await self._completed(), client_order_id)
        if trade is None:
            return None
        return mapping.order_result(trade, order_id=self._order_id(ib, trade, client_order_id))

    def _order_id(self, ib: IB, trade: Trade, key: str) -> int:
        # completed orders carry no order id: recover it from this session or the executions
        if trade.order.orderId:
            return trade.order.orderId
        perm_id = trade.order.permId
        for fill in ib.fills():
            if perm_id and fill.execution.permId == perm_id and fill.execution.orderId:
                return fill.execution.orderId
        return self._ids_by_key.get(key) or 0

    async def status(self, order_id: int) -> OrderResult | None:
        """This client's order with that id: from this session, else among the account's open
        orders, else among today's completed ones (matched through its executions)."""
        ib = self._calls.require()
        client_id = ib.client.clientId
        trade = _ours(ib.trades(), order_id, client_id)
        if trade is None:
            trade = _ours(await self._all_open(), order_id, client_id)
        fills = [
            fill.execution
            for fill in ib.fills()
            if fill.execution.orderId == order_id and fill.execution.clientId == client_id
        ]
        if trade is None and fills:
            completed = await self._completed()
            perm_ids = {execution.permId for execution in fills}
            trade = next(
                (t for t in completed if (t.order.permId or t.orderStatus.permId) in perm_ids),
                None,
            )
        if trade is None:
            return None
        result = mapping.order_result(trade, order_id=order_id)
        shares = sum(execution.shares for execution in fills)
        if not result.average_fill_price and shares:
            # Completed orders come without fill prices: their executions have them.
            average = sum(e.price * e.shares for e in fills) / shares
            result = msgspec.structs.replace(
                result, average_fill_price=average, last_fill_price=fills[-1].price
            )
        return result

    async def cancel(self, order_id: int) -> CancelResult:
        self._check_writable()
        ib = self._calls.require(trading=True)
        trade = _live(ib, order_id)
        if trade is not None and trade.orderStatus.status in DONE:
            return _already(order_id, trade.orderStatus.status)
        order = trade.order if trade is not None else Order(orderId=order_id)
        if trade is None:
            order.clientId = ib.wrapper.clientId
            trade = Trade(order=order)
        timeout = self._calls.settings.request_timeout
        with self._calls.supervisor.watch(order_id) as watch:
            try:
                ib.cancelOrder(order)
            except ConnectionError as exc:
                raise errors.translate(exc, "cancelling the order") from exc
            result: CancelResult | None = await settle(
                ib, trade, watch, timeout, lambda t, w: _cancelled(_live(ib, order_id) or t, w)
            )
        forget_old_trades(ib.wrapper, self._finished_kept)
        if result is None:
            raise BrokerTimeout(
                f"IB has not confirmed the cancel of order {order_id} within {timeout:g} s "
                f"(status {trade.orderStatus.status or 'unknown'}); check open orders",
                order_id=order_id,
            )
        return result

    async def open_orders(self) -> list[OpenOrder]:
        """Every open order of the account (all clients and TWS), not only this session's."""
        seen: dict[object, OpenOrder] = {}
        for trade in await self._all_open():
            if trade.orderStatus.status in DONE:
                continue
            key = trade.order.permId or (trade.order.clientId, trade.order.orderId)
            seen[key] = mapping.open_order(trade)
        return list(seen.values())

    async def _all_open(self) -> list[Trade]:
        # Concurrent listings share one request to IB.
        return await self._flight.run("openOrders", self._request_open)

    async def _request_open(self) -> list[Trade]:
        return await self._calls.run(
            "the open orders", lambda ib: ib.reqAllOpenOrdersAsync(), serial="openOrders"
        )

    async def _completed(self) -> list[Trade]:
        """The account's completed orders, asked after this call was made (a burst of look-ups
        shares at most two requests: IB sends every completed order of the day each time)."""
        return await self._fresh_completed.run(self._request_completed)

    async def _request_completed(self) -> list[Trade]:
        ib = self._calls.require()
        completed: list[Trade] = await self._calls.run(
            "the completed orders",
            lambda ib: ib.reqCompletedOrdersAsync(False),
            serial="completedOrders",
        )
        forget_old_trades(ib.wrapper, self._finished_kept)  # ib_async adds them all
        return completed


async def settle(ib: IB, trade: Trade, watch: ErrorWatch, budget: float, judge: Judge) -> Any:
    """Wait until ``judge`` has an answer, the session drops, or ``budget`` s pass (None)."""
    changed = asyncio.Event()

    def on_status(_trade: Trade) -> None:
        changed.set()

    trade.statusEvent += on_status
    loop = asyncio.get_running_loop()
    deadline = loop.time() + budget
    try:
        while True:
            answer = judge(trade, watch)
            if answer is not None:
                return answer
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            if not ib.isConnected():
                dropped = NotConnected(
                    f"The connection dropped while waiting for IB about order "
                    f"{trade.order.orderId}; once reconnected, check it (or retry with the same "
                    "client_order_id)",
                    retry_after=2,
                )
                # The order was sent: whoever handles this must not take it as never placed.
                dropped.details["order_id"] = trade.order.orderId
                raise dropped
            changed.clear()
            watch.arrived.clear()
            waiters = [asyncio.ensure_future(e.wait()) for e in (changed, watch.arrived)]
            await asyncio.wait(waiters, timeout=min(remaining, 0.25), return_when="FIRST_COMPLETED")
            for waiter in waiters:
                waiter.cancel()
    finally:
        trade.statusEvent -= on_status


# Refusals IB sends with a warning's code: a validation error, a price between two ticks.
_FAILS = frozenset({321, errors.PRICE_OFF_TICK})


def _placed(trade: Trade, watch: ErrorWatch) -> OrderResult | None:
    failure = next(
        (
            e
            for e in watch.errors
            if (not errors.is_warning(e[0]) and e[0] != 202) or e[0] in _FAILS
        ),
        None,
    )
    if failure is not None:
        raise errors.to_domain(failure[0], failure[1], f"order {trade.order.orderId}")
    status = trade.orderStatus.status
    if status not in ACKNOWLEDGED:
        return None
    notes = "; ".join(f"IB {code}: {text}" for code, text in watch.errors) or None
    return mapping.order_result(trade, error=notes)


def _cancelled(trade: Trade, watch: ErrorWatch) -> CancelResult | None:
    order_id = trade.order.orderId
    status = trade.orderStatus.status
    if status in ("Cancelled", "ApiCancelled"):
        return CancelResult(
            order_id=order_id, status=status, message="Order cancelled successfully"
        )
    if status == "Filled":
        return _already(order_id, status)
    for code, text in watch.errors:
        if code == 202:
            return CancelResult(
                order_id=order_id, status="Cancelled", message="Order cancelled successfully"
            )
        if code == 10148:
            match = _STATE.search(text)
            return _already(order_id, match[1] if match else "done")
        if not errors.is_warning(code):
            raise errors.to_domain(code, text, f"cancelling order {order_id}")
    return None


def _live(ib: IB, order_id: int) -> Trade | None:
    """ib_async's own Trade for the order (it may appear only once IB reports the order)."""
    return next((t for t in ib.trades() if t.order.orderId == order_id), None)


def _ours(trades: list[Trade], order_id: int, client_id: int) -> Trade | None:
    """The order this client placed with that id (order ids are numbered per client)."""
    return next(
        (t for t in trades if t.order.orderId == order_id and t.order.clientId == client_id),
        None,
    )


def _already(order_id: int, status: str) -> CancelResult:
    return CancelResult(
        order_id=order_id, status=status, message=f"Order already {status}; nothing to cancel"
    )


# What ib_async reports for an order IB refused before giving it a permId (201 rejections end
# Cancelled, 321 validation errors ValidationError): it never reached the market.
_NEVER_PLACED = frozenset({"Cancelled", "ApiCancelled", "Inactive"})
_REFUSED_CODES = frozenset({201, 321, errors.PRICE_OFF_TICK})


def _never_placed(trade: Trade) -> bool:
    """IB refused it before it reached the market. ib_async also sets ValidationError for mere
    warnings on a live order (399, 2100-2199), so that status counts only with IB's refusal."""
    if trade.order.permId or trade.orderStatus.permId:
        return False
    status = trade.orderStatus.status
    if status == "ValidationError":
        return any(entry.errorCode in _REFUSED_CODES for entry in trade.log)
    return status in _NEVER_PLACED


def _by_ref(trades: list[Trade], key: str) -> Trade | None:
    """The most recent order with this orderRef that reached IB (refused ones never did)."""
    matches = [t for t in trades if t.order.orderRef == key and not _never_placed(t)]
    return max(matches, key=lambda t: t.order.permId or t.orderStatus.permId or 0, default=None)

"""Orders that belong together, on ib_async: brackets (parentId, transmit) and OCA groups,
and IB's global cancel.

A bracket follows IB's protocol: the parent and every child but the last are sent with
``transmit=False`` and the last child with ``transmit=True``, which transmits the family; the
children carry the parent's order id as ``parentId``. Ids are taken before anything is sent so
that IB's errors about any leg are watched from the start. When IB refuses a leg, the legs sent
before it are cancelled: a bracket is placed whole or not at all.
"""

from __future__ import annotations

import asyncio
import contextlib

from ib_async import IB, Order, Trade

from adapters.ib import errors, mapping
from adapters.ib.bookkeeping import forget_old_trades
from adapters.ib.calls import IbCalls
from adapters.ib.orders import FINISHED_KEPT, _placed, settle
from domain.brackets import GroupLeg
from domain.contract import Contract
from domain.errors import BrokerTimeout, DomainError, ReadOnly
from domain.orders import OrderResult


class IbOrderGroups:
    def __init__(self, calls: IbCalls) -> None:
        self._calls = calls

    def _check_writable(self) -> None:
        if self._calls.settings.readonly:
            raise ReadOnly("This service runs read-only: orders cannot be placed or cancelled")

    async def place_group(self, legs: list[tuple[Contract, GroupLeg]]) -> list[OrderResult]:
        self._check_writable()
        ib = self._calls.require(trading=True)
        managed = ib.managedAccounts()
        default = self._calls.settings.account or (managed[0] if len(managed) == 1 else None)
        orders: list[Order] = []
        for _contract, leg in legs:
            order = mapping.to_ib_order(leg.order, account=default)
            order.orderId = ib.client.getReqId()
            if leg.parent is not None:
                order.parentId = orders[leg.parent].orderId
            if leg.oca_group:
                order.ocaGroup, order.ocaType = leg.oca_group, leg.oca_type
            orders.append(order)
        trades: list[Trade] = []
        timeout = self._calls.settings.order_ack_timeout
        with contextlib.ExitStack() as stack:
            watches = [stack.enter_context(self._calls.supervisor.watch(o.orderId)) for o in orders]
            try:
                for (contract, _leg), order in zip(legs, orders, strict=True):
                    trades.append(ib.placeOrder(mapping.to_ib_contract(contract), order))
                results = []
                for trade, watch in zip(trades, watches, strict=True):
                    result = await settle(ib, trade, watch, timeout, _placed)
                    if result is None:
                        raise BrokerTimeout(
                            f"IB did not acknowledge order {trade.order.orderId} of the group "
                            f"within {timeout:g} s; it may still reach the market: check open "
                            "orders, or retry with the same client_order_id",
                            order_id=trade.order.orderId,
                        )
                    results.append(result)
            except ConnectionError as exc:
                dropped = errors.translate(exc, "placing the orders")
                if trades:  # part of the group was sent: IB may have it (the journal says so)
                    dropped.details["order_id"] = trades[0].order.orderId
                raise dropped from exc
            except DomainError as exc:
                if not isinstance(exc, BrokerTimeout):
                    _withdraw(ib, trades)
                    await _settled(trades, min(timeout, WITHDRAW_WAIT))
                    _report_withdrawal(exc, trades)
                raise
        forget_old_trades(ib.wrapper, FINISHED_KEPT)
        return results

    async def global_cancel(self) -> None:
        self._check_writable()
        ib = self._calls.require(trading=True)
        try:
            ib.reqGlobalCancel()  # type: ignore[no-untyped-call]
        except ConnectionError as exc:
            raise errors.translate(exc, "cancelling every order") from exc


# Seconds a refused group waits for its earlier legs' cancels to be confirmed before it answers.
WITHDRAW_WAIT = 3.0
_FINAL = ("Cancelled", "ApiCancelled", "Inactive", "Filled")


async def _settled(trades: list[Trade], seconds: float) -> None:
    """Wait (bounded) until every leg IB took is final: cancelled, inactive or filled."""
    deadline = asyncio.get_running_loop().time() + seconds
    while any(t.orderStatus.status not in _FINAL for t in trades):
        if asyncio.get_running_loop().time() >= deadline:
            return
        await asyncio.sleep(0.02)


def _report_withdrawal(exc: DomainError, trades: list[Trade]) -> None:
    """Say what became of each leg sent before the refusal, a fill above all: a refused group
    whose first leg already traded has left a position, and the caller must know it."""
    legs = [
        {
            "order_id": t.order.orderId,
            "status": t.orderStatus.status or "Unknown",
            "filled_quantity": float(t.orderStatus.filled or 0.0),
        }
        for t in trades
    ]
    if not legs:
        return
    exc.details["legs"] = legs
    filled = [leg for leg in legs if leg["filled_quantity"]]
    pending = [leg for leg in legs if leg["status"] not in _FINAL]
    notes = []
    if filled:
        said = ", ".join(
            f"order {leg['order_id']} ({leg['filled_quantity']:g} filled)" for leg in filled
        )
        notes.append(f"Filled before the group was withdrawn (that position stands): {said}")
    if pending:
        said = ", ".join(str(leg["order_id"]) for leg in pending)
        notes.append(f"Cancel not yet confirmed for order {said}: check open orders")
    if notes:
        base = exc.message.rstrip()
        exc.message = f"{base if base.endswith(('.', ')')) else base + '.'} " + ". ".join(notes)
        exc.args = (exc.message,)


def _withdraw(ib: IB, trades: list[Trade]) -> None:
    """Cancel what IB took of a group it refused in part (best effort: the refusal stands)."""
    for trade in trades:
        if trade.orderStatus.status not in ("Cancelled", "ApiCancelled", "Inactive", "Filled"):
            with contextlib.suppress(Exception):
                ib.cancelOrder(trade.order)

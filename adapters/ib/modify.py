"""Modifying a working order: the same order id placed again with new terms.

The answer is IB's: once IB's openOrder carries the new terms (and its orderStatus the order's
state), never the request echoed. IB refuses to modify a finished order (104 filled, 103 the id
of a cancelled one); a refused modification (201, or 105/329, which ib_async counts as mere
warnings) leaves the order working with its old terms.
"""

from __future__ import annotations

import math
from copy import copy

from ib_async import IB, Order, Trade

from adapters.ib import errors, mapping
from adapters.ib.calls import IbCalls
from adapters.ib.notices import ErrorWatch
from adapters.ib.orders import ACKNOWLEDGED, DONE, settle
from domain.contract import Contract
from domain.errors import BrokerTimeout, DomainError, OrderRejected, ReadOnly
from domain.orders import OpenOrder, OrderRequest, OrderResult

# Codes that end a modification, though ib_async takes them for warnings.
_MODIFY_FAILED = frozenset({105, 329})


class IbModify:
    def __init__(self, calls: IbCalls) -> None:
        self._calls = calls

    def session_order(self, order_id: int) -> OpenOrder | None:
        """This session's order with that id as IB last reported it (None: not known)."""
        trade = _own(self._calls.require(), order_id)
        return mapping.open_order(trade) if trade is not None else None

    async def modify(self, order_id: int, contract: Contract, request: OrderRequest) -> OrderResult:
        if self._calls.settings.readonly:
            raise ReadOnly("This service runs read-only: orders cannot be modified")
        ib = self._calls.require(trading=True)
        trade = _own(ib, order_id)
        if trade is None:
            raise OrderRejected(f"Order {order_id} is not an order of this session")
        if trade.orderStatus.status in DONE or trade.isDone():
            raise _finished(order_id, trade.orderStatus.status)
        wanted = mapping.to_ib_order(request, account=trade.order.account)
        changed = copy(trade.order)  # the session's Trade keeps IB's terms until IB answers
        for name in ("totalQuantity", "lmtPrice", "auxPrice", "tif", "goodTillDate"):
            setattr(changed, name, getattr(wanted, name))
        timeout = self._calls.settings.order_ack_timeout
        with self._calls.supervisor.watch(order_id) as watch:
            try:
                ib.placeOrder(trade.contract, changed)
            except ConnectionError as exc:
                raise errors.translate(exc, "modifying the order") from exc
            result: OrderResult | None = await settle(
                ib, trade, watch, timeout, lambda t, w: _applied(t, w, changed)
            )
        if result is None:
            raise BrokerTimeout(
                f"IB did not confirm the change of order {order_id} within {timeout:g} s; "
                "get_order_status shows which terms IB holds",
                order_id=order_id,
            )
        return result


def _applied(trade: Trade, watch: ErrorWatch, wanted: Order) -> OrderResult | None:
    order_id = trade.order.orderId
    for code, text in watch.errors:
        if code in _MODIFY_FAILED or not errors.is_warning(code):
            raise _refused(order_id, code, text)
    if trade.orderStatus.status == "Filled" and not _same(trade, wanted):
        raise _finished(order_id, "Filled")
    if trade.orderStatus.status not in ACKNOWLEDGED or not _same(trade, wanted):
        return None
    return mapping.order_result(trade)


def _same(trade: Trade, wanted: Order) -> bool:
    held = trade.order
    for name in ("totalQuantity", "lmtPrice", "auxPrice"):
        mine, theirs = mapping.number(getattr(held, name)), mapping.number(getattr(wanted, name))
        if (mine is None) != (theirs is None) or (
            mine is not None and theirs is not None and not math.isclose(mine, theirs)
        ):
            return False
    return all(getattr(held, n) == getattr(wanted, n) for n in ("tif", "goodTillDate"))


def _refused(order_id: int, code: int, text: str) -> DomainError:
    if code in (103, 104):
        return _finished(order_id, "Filled" if code == 104 else "Cancelled", text)
    error = errors.to_domain(code, text, f"modifying order {order_id}")
    if isinstance(error, OrderRejected):
        return OrderRejected(
            f"IB refused the change of order {order_id} ({text}); it keeps its previous terms",
            ib_code=code,
        )
    return error


def _finished(order_id: int, status: str, text: str | None = None) -> OrderRejected:
    said = f" (IB: {text})" if text else ""
    return OrderRejected(
        f"Order {order_id} is {status}: a filled or cancelled order cannot be modified{said}",
        ib_code=104 if status == "Filled" else 103,
        order_status=status,
    )


def _own(ib: IB, order_id: int) -> Trade | None:
    client_id = ib.client.clientId
    return next(
        (t for t in ib.trades() if t.order.orderId == order_id and t.order.clientId == client_id),
        None,
    )

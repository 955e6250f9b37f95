"""Teach ib_async to keep every term of an order IB reports, not only prices and quantity.

ib_async's ``openOrder`` copies quantity, prices, type and orderRef of a known order from IB's
message and drops the rest, so a changed time in force never reaches the session's Trade. An
answer about a modification must be IB's, not the request echoed: this hook copies the terms
a modification may change (time in force, good-till date, outside RTH) as IB reported them.
"""

from __future__ import annotations

from typing import Any

from ib_async import IB, Contract, Order, OrderState

_TRACKED = "_ibkr_mcp_terms_tracked"
# A trailing order's stop moves with the market: IB reports each new trailStopPrice.
TERMS = ("tif", "goodTillDate", "outsideRth", "trailStopPrice", "trailingPercent",
         "lmtPriceOffset", "algoStrategy", "algoParams")  # fmt: skip


def track_order_terms(ib: IB) -> None:
    """Install the hook on this session's wrapper (once; a new session has a new wrapper)."""
    wrapper: Any = ib.wrapper
    if getattr(wrapper, _TRACKED, False):
        return
    original = wrapper.openOrder

    def open_order(order_id: int, contract: Contract, order: Order, state: OrderState) -> None:
        original(order_id, contract, order, state)
        if order.whatIf:
            return
        trade = wrapper.trades.get(wrapper.orderKey(order.clientId, order.orderId, order.permId))
        if trade is not None and trade.order is not order:
            for name in TERMS:
                setattr(trade.order, name, getattr(order, name))

    wrapper.openOrder = open_order
    setattr(wrapper, _TRACKED, True)

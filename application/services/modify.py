"""What a modification of a working order amounts to: the whole order after the change."""

from __future__ import annotations

from application.ports import Broker
from application.services.contracts import ContractService
from domain.contract import Contract, ContractQuery
from domain.errors import InvalidRequest, OrderNotFound, OrderRejected
from domain.order_change import OrderChange
from domain.orders import FINAL_STATUSES, MAX_ORDER_ID, OrderRequest


async def planned_change(
    broker: Broker, contracts: ContractService, order_id: int, change: OrderChange
) -> tuple[OrderRequest, Contract]:
    """The order as it will stand after ``change``, and its contract; refuses an order this
    session does not know (``OrderNotFound``) or that is over (``OrderRejected``)."""
    if not 1 <= order_id <= MAX_ORDER_ID:
        raise InvalidRequest(
            f"order_id must be an IB order id, 1 to {MAX_ORDER_ID}; got {order_id}",
            field="order_id",
        )
    current = await broker.session_order(order_id)
    if current is None:
        raise OrderNotFound(
            f"Order {order_id} is not an order of this session: only orders placed through "
            "this service since it connected can be modified (get_open_orders lists them)"
        )
    if current.status in FINAL_STATUSES:
        raise OrderRejected(
            f"Order {order_id} is {current.status}: a filled or cancelled order cannot be "
            "modified; place a new order instead",
            order_status=current.status,
        )
    order = change.applied_to(current)
    contract = await contracts.resolve(ContractQuery(con_id=current.contract_id))
    return order, contract


def preview_hint(order: OrderRequest) -> str:
    """The preview_order arguments of the order after the change, for a PreviewRequired."""
    given = {
        "contract_id": order.contract_id,
        "action": order.action,
        "quantity": order.quantity,
        "order_type": order.order_type,
        "limit_price": order.limit_price,
        "stop_price": order.stop_price,
        **{name: value for name, value in order.price_terms().items() if value is not None},
        "algo": {"strategy": order.algo.strategy, "params": order.algo.params}
        if order.algo
        else None,
        "time_in_force": order.time_in_force,
        "good_till_date": order.effective_good_till or None,
        "outside_rth": order.outside_rth or None,
    }
    return ", ".join(f"{name}={value!r}" for name, value in given.items() if value is not None)

"""What one client is told about its orders: status changes, cancels and fills.

Messages carry the ids the client used (see ``order_ids``), and a state the client has
already been told is not repeated (world events and direct replies often coincide).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from adapters.simulated_gateway.model import Fill, OrderRecord, OrderSpec
from adapters.simulated_gateway.orders.order_history import FINISHED_KEPT
from adapters.simulated_gateway.tws import messages_orders as om

if TYPE_CHECKING:
    from adapters.simulated_gateway.tws.client import Client

CANCELLED_TEXT = "Order Canceled - reason:"
# Orders whose last state sent is remembered (the most recently told); one forgotten is at
# worst told its unchanged state once more.
LAST_SENT_KEPT = 2 * FINISHED_KEPT


def _terms(spec: OrderSpec) -> tuple[object, ...]:
    """What a modification may change: a new value is news to the client."""
    return (spec.total_quantity, spec.lmt_price, spec.aux_price, spec.tif, spec.good_till_date,
            spec.outside_rth, spec.trail_stop_price)  # fmt: skip


class OrderEvents:
    def __init__(self, session: Client) -> None:
        self.session = session
        self.ids = session.server.order_ids
        # what this client was last told about each order (by world id)
        self._last_sent: dict[int, tuple[object, ...]] = {}

    def forget(self, world_id: int) -> None:
        """Send the next state of this order even if unchanged (lists re-announce orders)."""
        self._last_sent.pop(world_id, None)

    def _remember(self, world_id: int, state: tuple[object, ...]) -> None:
        self._last_sent.pop(world_id, None)  # the most recently told last
        self._last_sent[world_id] = state
        while len(self._last_sent) > LAST_SENT_KEPT:
            del self._last_sent[next(iter(self._last_sent))]

    def client_view(self, record: OrderRecord) -> tuple[int, OrderRecord]:
        """The record with the ids its owner used (order and parent), and that order id."""
        spec = record.spec
        _, order_id = self.ids.client_of(spec.order_id, spec.client_id)
        parent = self.ids.client_of(spec.parent_id, spec.client_id)[1] if spec.parent_id else 0
        if order_id != spec.order_id or parent != spec.parent_id:
            record = replace(record, spec=replace(spec, order_id=order_id, parent_id=parent))
        return order_id, record

    def on_order_changed(self, record: OrderRecord) -> None:
        world_id = record.spec.order_id
        spec = record.spec
        state = (record.status, record.filled, *_terms(spec))
        if self._last_sent.get(world_id) == state:
            return
        self._remember(world_id, state)
        self.ids.set_status(world_id, record.status)
        order_id, view = self.client_view(record)
        session = self.session
        session.send(
            om.open_order(
                order_id,
                view.spec,
                view.instrument,
                perm_id=view.perm_id,
                status=view.status,
                account=session.account,
            )
        )
        session.send(om.order_status(order_id, view))

    def on_cancelled(self, record: OrderRecord) -> None:
        self.on_order_changed(record)
        order_id, _ = self.client_view(record)
        self.session.error(order_id, 202, CANCELLED_TEXT)

    def on_fill(self, fill: Fill, record: OrderRecord) -> None:
        """A fill: EXECUTION_DATA (reqId -1), ORDER_STATUS, OPEN_ORDER, COMMISSION_REPORT."""
        order_id, view = self.client_view(record)
        total = view.spec.total_quantity
        status = "Filled" if fill.cum_qty >= total - 1e-9 else "Submitted"
        session = self.session
        session.send(om.execution_data(-1, order_id, fill))
        session.send(
            om.order_status(
                order_id,
                view,
                status=status,
                filled=fill.cum_qty,
                avg_fill_price=fill.avg_price,
                last_fill_price=fill.price,
            )
        )
        session.send(
            om.open_order(
                order_id,
                view.spec,
                view.instrument,
                perm_id=view.perm_id,
                status=status,
                account=session.account,
            )
        )
        session.send(om.commission_report(fill))
        spec = view.spec
        world_id = record.spec.order_id
        self._remember(world_id, (status, fill.cum_qty, *_terms(spec)))
        self.ids.set_status(world_id, status)

"""Order requests: place, modify, cancel, what-if, open/completed order lists, executions."""

from __future__ import annotations

from collections.abc import Callable
from copy import copy
from dataclasses import replace
from datetime import UTC
from typing import TYPE_CHECKING, Any

from adapters.simulated_gateway.model import (
    ContractQuery,
    Filled,
    Instrument,
    OrderChanged,
    OrderRecord,
    OrderRejected,
    OrderSpec,
    UnknownOrder,
    WorldEvent,
)
from adapters.simulated_gateway.orders.exercise import ExerciseRefused
from adapters.simulated_gateway.tws import messages_orders as om
from adapters.simulated_gateway.tws.execution_filter import read_execution_filter
from adapters.simulated_gateway.tws.handlers.bracket_rules import refuse_orphan
from adapters.simulated_gateway.tws.order_request import PlaceOrderRequest, read_place_order
from adapters.simulated_gateway.tws.wire import FieldReader

if TYPE_CHECKING:
    from adapters.simulated_gateway.tws.client import Client


def _drop_superseded(held: list[WorldEvent], world_id: int) -> bool:
    """Remove the held status events of a just-placed order that its direct reply already
    covers (they would otherwise show an older state after a newer one). Returns whether the
    order filled during placement; status events after its first fill are kept."""
    first_fill = next(
        (
            i
            for i, e in enumerate(held)
            if isinstance(e, Filled) and e.record.spec.order_id == world_id
        ),
        len(held),
    )
    filled = first_fill < len(held)
    held[:first_fill] = [
        e
        for e in held[:first_fill]
        if not (isinstance(e, OrderChanged) and e.record.spec.order_id == world_id)
    ]
    return filled


class OrderHandlers:
    def __init__(self, session: Client) -> None:
        self.session = session
        self.ids = session.server.order_ids
        self.events = session.order_events

    def routes(self) -> dict[str, Any]:
        return {
            "3": self.place_order,
            "4": self.cancel_order,
            "5": self.req_open_orders,
            "16": self.req_all_open_orders,
            "15": self.req_auto_open_orders,
            "7": self.req_executions,
            "99": self.req_completed_orders,
            "58": self.req_global_cancel,
            "21": self.exercise_options,
        }

    # --- requests --------------------------------------------------------------------------

    def place_order(self, fields: list[str]) -> None:
        req = read_place_order(fields)
        session = self.session
        client_id = session.client_id
        self.ids.note_used(client_id, req.order_id)
        inst = session.resolve(req.order_id, req.contract)
        if inst is None:
            return
        if req.what_if:
            self._what_if(req, inst)
            return
        known = self.ids.world_id(client_id, req.order_id)
        if known is not None and self.ids.is_done(known):
            if self.ids.status(known) == "Filled":
                session.error(req.order_id, 104, "Can't modify a filled order.")
            else:
                session.error(req.order_id, 103, "Duplicate order id")
            return
        if refuse_orphan(session, self.ids, req):
            return
        reason = session.server.faults.take_order_rejection()
        if reason is not None:
            session.error(req.order_id, 201, f"Order rejected - reason:{reason}")
            self._still_working(known)
            return
        world_id = self.ids.assign(client_id, req.order_id)
        spec = self._spec(req, world_id)
        with session.server.held_events() as held:
            try:
                record = copy(session.world.place_order(spec, inst))
            except OrderRejected as exc:
                session.error(req.order_id, exc.code, exc.message)
                self._still_working(known)
                return
            filled_at_once = _drop_superseded(held, world_id)
            if filled_at_once:
                # The fill events follow; first show the order as working, as IB does.
                record.status, record.filled, record.avg_fill_price = "Submitted", 0.0, 0.0
                record.last_fill_price = 0.0
            self.events.on_order_changed(record)

    def _still_working(self, world_id: int | None) -> None:
        """A refused modification leaves the order working with its old terms: say so again
        (the client took the refusal for the order's end)."""
        if world_id is None:
            return
        record = next((r for r in self.session.world.open_orders() if r.spec.order_id == world_id),
                      None)  # fmt: skip
        if record is not None:
            self.events.forget(world_id)
            self.events.on_order_changed(copy(record))

    def _spec(self, req: PlaceOrderRequest, world_id: int) -> OrderSpec:
        parent = self.ids.world_id(self.session.client_id, req.parent_id) if req.parent_id else 0
        return OrderSpec(
            order_id=world_id,
            client_id=self.session.client_id,
            action=req.action,
            total_quantity=req.total_quantity,
            order_type=req.order_type,
            lmt_price=req.lmt_price,
            aux_price=req.aux_price,
            tif=req.tif or "DAY",
            good_till_date=req.good_till_date,
            outside_rth=req.outside_rth,
            transmit=req.transmit,
            order_ref=req.order_ref,
            account=req.account or self.session.account,
            parent_id=parent or 0,
            what_if=req.what_if,
            trailing_percent=req.trailing_percent,
            trail_stop_price=req.trail_stop_price,
            lmt_price_offset=req.lmt_price_offset,
            algo_strategy=req.algo_strategy,
            algo_params=req.algo_params,
            oca_group=req.oca_group,
            oca_type=req.oca_type,
        )

    def _what_if(self, req: PlaceOrderRequest, inst: Instrument) -> None:
        session = self.session
        spec = replace(self._spec(req, req.order_id), order_id=req.order_id)
        try:
            impact = session.world.what_if(spec, inst)
        except OrderRejected as exc:
            session.error(req.order_id, exc.code, exc.message)
            return
        session.send(
            om.open_order(
                req.order_id,
                spec,
                inst,
                perm_id=0,
                status="PreSubmitted",
                account=session.account,
                what_if=impact,
            )
        )

    def cancel_order(self, fields: list[str]) -> None:
        order_id = FieldReader(fields, 2).integer()
        session = self.session
        world_id = self.ids.world_id(session.client_id, order_id)
        if world_id is not None and self.ids.is_done(world_id):
            state = self.ids.status(world_id)
            text = f"OrderId {order_id} that needs to be cancelled cannot be cancelled, state: {state}."
            session.error(order_id, 10148, text)
            return
        with session.server.held_events():
            try:
                if world_id is None:
                    raise UnknownOrder(order_id)
                record = copy(session.world.cancel_order(world_id))
            except UnknownOrder as exc:
                text = str(exc) if "cancelled" in str(exc) else ""
                code = 10148 if "cannot be cancelled" in text else 10147
                text = text or f"OrderId {order_id} that needs to be cancelled is not found."
                session.error(order_id, code, text.replace(str(world_id), str(order_id)))
                return
            self.events.on_cancelled(record)

    def req_open_orders(self, fields: list[str]) -> None:
        mine = self.session.client_id
        self._send_open_orders(lambda r: mine == 0 or r.spec.client_id == mine)

    def req_all_open_orders(self, fields: list[str]) -> None:
        self._send_open_orders(lambda r: True)

    def req_auto_open_orders(self, fields: list[str]) -> None:
        """Binding TWS orders to client 0: there are no manual orders here, so nothing to send."""

    def _send_open_orders(self, wanted: Callable[[OrderRecord], bool]) -> None:
        for record in self.session.world.open_orders():
            if wanted(record):
                self.events.forget(record.spec.order_id)
                self.events.on_order_changed(copy(record))
        self.session.send(om.open_order_end())

    def req_executions(self, fields: list[str]) -> None:
        req_id, wanted = read_execution_filter(fields)
        session = self.session
        for fill in session.world.fills():
            if wanted(fill):
                _, order_id = self.ids.client_of(fill.order_id, fill.client_id)
                session.send(om.execution_data(req_id, order_id, fill))
                session.send(om.commission_report(fill))
        session.send(om.execution_data_end(req_id))

    def req_completed_orders(self, fields: list[str]) -> None:
        session = self.session
        finished_at = {fill.perm_id: fill.time for fill in session.world.fills()}
        now = session.world.now()
        for record in session.world.completed_orders():
            when = finished_at.get(record.perm_id, now).astimezone(UTC)
            session.send(
                om.completed_order(
                    self.events.client_view(record)[1],
                    account=session.account,
                    completed_time=when.strftime("%Y%m%d %H:%M:%S UTC"),
                )
            )
        session.send(om.completed_orders_end())

    def req_global_cancel(self, fields: list[str]) -> None:
        server = self.session.server
        with server.held_events():
            for record in server.world.global_cancel():
                owner = server.session_for(record.spec.client_id)
                if owner is not None:
                    owner.order_events.on_cancelled(copy(record))

    def exercise_options(self, fields: list[str]) -> None:
        """``21|2|reqId|C11 (no primaryExchange)|action|quantity|account|override``; IB sends
        no reply of its own: errors on reqId, or position/portfolio/account updates."""
        r = FieldReader(fields, 2)
        req_id = r.integer()
        query = ContractQuery(
            con_id=r.integer(), symbol=r.text(), sec_type=r.text(), last_trade_date=r.text(),
            strike=r.number() or 0.0, right=r.text(), multiplier=r.text(), exchange=r.text(),
            currency=r.text(), local_symbol=r.text(), trading_class=r.text(),
        )  # fmt: skip
        action, quantity_text, account = r.integer(), r.text(), r.text()
        session = self.session
        if not quantity_text.lstrip("-").isdigit():
            # What IB's Java parser says to "1.0" (the quantity must be sent as an integer).
            session.error(req_id, 320, "Error reading request. Unable to parse data. "
                          f'java.lang.NumberFormatException: For input string: "{quantity_text}"')  # fmt: skip
            return
        if account and account != session.account:
            session.error(req_id, 321, f"Error validating request.-'bE' : cause - "
                          f"Invalid account: {account}")  # fmt: skip
            return
        option = session.resolve(req_id, query)
        if option is None:
            return
        try:
            session.world.exercise(option, action, int(quantity_text))
        except ExerciseRefused as exc:
            session.error(req_id, exc.code, exc.message)

"""The simulated exchange: accepts, works, fills, expires and cancels the paper account's orders.

Matching is against the simulated top of book: marketable orders take the touch (up to its
size for limit orders), resting limits fill at their price once the walk crosses them, stops
elect on the last price. Every status change and fill is pushed to the listeners as events.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from datetime import datetime

from adapters.simulated_gateway.model import (
    Fill,
    Filled,
    Instrument,
    OrderChanged,
    OrderRecord,
    OrderRejected,
    OrderSpec,
    Quote,
    UnknownOrder,
    WorldEvent,
)
from adapters.simulated_gateway.portfolio.account import PaperAccount
from adapters.simulated_gateway.portfolio.commission import fill_commission, multiplier

from . import oca
from .algo_fills import SLICED, target, window
from .auction import auction_time
from .order_history import FILLS_KEPT, FINISHED_KEPT, forget_fills, forget_finished
from .order_rules import expiry_of, validate
from .order_types import PEGGED, TRIGGERED, in_regular_hours, limit_of, pegged_price
from .type_matching import OrderTypeMatching
from .working_order import WorkingOrder

QuoteSource = Callable[[Instrument, datetime], Quote]
PreTradeCheck = Callable[[OrderSpec, Instrument, datetime], None]  # raises OrderRejected


def snapshot(record: OrderRecord) -> OrderRecord:
    # Listeners may queue events: hand them a copy that later fills cannot change.
    return dataclasses.replace(record)


class SimulatedExchange(OrderTypeMatching):
    def __init__(
        self,
        account: PaperAccount,
        quote: QuoteSource,
        emit: Callable[[WorldEvent], None],
        exec_prefix: str,
        perm_base: int,
        check: PreTradeCheck,
        *,
        finished_kept: int = FINISHED_KEPT,
        fills_kept: int = FILLS_KEPT,
    ) -> None:
        self._account = account
        self._check = check
        self._quote = quote
        self._emit = emit
        self._exec_prefix = exec_prefix
        self._next_perm = perm_base
        self._exec_seq = 0
        self.orders: dict[int, WorkingOrder] = {}
        self.fills: list[Fill] = []
        self.fill_count = 0  # lets the world notice fills and refresh the portfolio
        # the finished orders and fills kept (see order_history)
        self.finished_kept = finished_kept
        self.fills_kept = fills_kept

    # -- entry points -----------------------------------------------------------------------

    def place(self, spec: OrderSpec, inst: Instrument, t: datetime) -> OrderRecord:
        validate(spec, inst)
        existing = self.orders.get(spec.order_id)
        if existing is not None:
            if existing.live:
                self._check(spec, inst, t)
            return self._modify(existing, spec, t)
        self._check(spec, inst, t)
        auction_at = auction_time(spec, inst, t)
        self._next_perm += 1
        record = OrderRecord(
            spec=spec,
            instrument=inst,
            perm_id=self._next_perm,
            status="PreSubmitted",
            remaining=spec.total_quantity,
        )
        w = WorkingOrder(record, spec.transmit, expiry_of(spec, inst, t), auction_at=auction_at)
        if auction_at is not None:
            w.expires_at = None  # the auction decides its end
        if spec.algo_strategy in SLICED:
            w.algo_span = window(spec, inst, t)
        self.orders[spec.order_id] = w
        if spec.transmit and spec.parent_id:
            self._transmit_family(spec.parent_id, t)
        self._activate(w, t)
        forget_finished(self.orders, self.finished_kept)
        return snapshot(w.record)

    def cancel(self, order_id: int, t: datetime) -> OrderRecord:
        w = self.orders.get(order_id)
        if w is None:
            raise UnknownOrder(f"OrderId {order_id} that needs to be cancelled is not found.")
        if not w.live:
            raise UnknownOrder(
                f"OrderId {order_id} that needs to be cancelled cannot be cancelled, "
                f"state: {w.record.status}."
            )
        self._cancel(w)
        forget_finished(self.orders, self.finished_kept)
        return snapshot(w.record)

    def cancel_all(self) -> list[OrderRecord]:
        live = [w for w in self.orders.values() if w.live]
        for w in live:
            self._cancel(w)
        return [snapshot(w.record) for w in live]

    def step(self, t: datetime) -> None:
        """Expire, elect and fill whatever the market now allows."""
        quotes: dict[int, Quote] = {}
        for w in list(self.orders.values()):
            if not w.live:
                continue
            if w.expires_at is not None and t >= w.expires_at:
                self._cancel(w)
                continue
            if self._working(w):
                cid = w.record.instrument.con_id
                q = quotes.get(cid) or quotes.setdefault(cid, self._quote(w.record.instrument, t))
                self._match(w, q, t)
        forget_finished(self.orders, self.finished_kept)

    def working_con_ids(self) -> set[int]:
        return {w.record.instrument.con_id for w in self.orders.values() if w.live}

    # -- order life cycle -------------------------------------------------------------------

    def _modify(self, w: WorkingOrder, spec: OrderSpec, t: datetime) -> OrderRecord:
        if not w.live:
            raise OrderRejected(
                104, f"Can't modify a filled or cancelled order ({w.record.status})."
            )
        if spec.total_quantity < w.record.filled:
            raise OrderRejected(
                201, "Order rejected - reason:The new quantity is below the filled quantity."
            )
        w.record.spec = spec
        w.record.remaining = spec.total_quantity - w.record.filled
        w.expires_at = expiry_of(spec, w.record.instrument, t)
        w.rested = False  # a new price may be marketable: it then takes the touch
        w.transmitted = w.transmitted or spec.transmit
        if w.record.remaining <= 0:
            w.record.status = "Filled"
        self._emit(OrderChanged(snapshot(w.record)))
        self._activate(w, t, announce=False)
        return snapshot(w.record)

    def _transmit_family(self, parent_id: int, t: datetime) -> None:
        # Transmitting the last child of a bracket transmits the parent and its siblings.
        for w in list(self.orders.values()):
            if w.live and not w.transmitted and parent_id in (w.spec.order_id, w.spec.parent_id):
                w.transmitted = True
                self._activate(w, t)

    def _working(self, w: WorkingOrder) -> bool:
        if not (w.live and w.transmitted):
            return False
        parent = self.orders.get(w.spec.parent_id) if w.spec.parent_id else None
        return parent is None or parent.record.status == "Filled"

    def _activate(self, w: WorkingOrder, t: datetime, announce: bool = True) -> None:
        is_stop = (w.spec.order_type in TRIGGERED and not w.triggered) or w.auction_at is not None
        status = "Submitted" if self._working(w) and not is_stop else "PreSubmitted"
        if status != w.record.status or announce:
            w.record.status = status
            self._emit(OrderChanged(snapshot(w.record)))
        if self._working(w):
            self._match(w, self._quote(w.record.instrument, t), t)

    def _cancel_member(self, member: oca.Member) -> None:
        assert isinstance(member, WorkingOrder)
        self._cancel(member)

    def _announce(self, member: oca.Member) -> None:
        self._emit(OrderChanged(snapshot(member.record)))

    def _cancel(self, w: WorkingOrder) -> None:
        w.record.status = "Cancelled"
        self._emit(OrderChanged(snapshot(w.record)))
        for child in self.orders.values():  # a parent takes its children along
            if child.live and child.spec.parent_id == w.spec.order_id:
                self._cancel(child)

    # -- matching ---------------------------------------------------------------------------

    def _match(self, w: WorkingOrder, q: Quote, t: datetime) -> None:
        spec, inst = w.spec, w.record.instrument
        if w.auction_at is not None:
            self._auction(w, t)
            return
        kind = spec.order_type
        if kind in (*TRIGGERED, *PEGGED) and not in_regular_hours(spec, inst, t):
            return
        if kind in TRIGGERED and not w.triggered and not self._elect(w, q):
            return
        spec = w.spec  # a triggered TRAIL LIMIT now has its limit
        if kind in PEGGED:
            price = pegged_price(spec, q)
            if price is not None:
                self._fill(w, w.record.remaining, price, t)
            self._end_immediate(w)
            return
        wanted = w.record.remaining
        if w.algo_span is not None:
            wanted = min(wanted, target(spec, inst, w.algo_span, t) - w.record.filled)
        buy = spec.action == "BUY"
        limit = limit_of(spec)
        touch, size = (q.ask, q.ask_size) if buy else (q.bid, q.bid_size)
        if math.isnan(touch) or wanted <= 1e-9:
            self._end_algo(w, t)
            return
        eps = 1e-9
        marketable = limit is None or (touch <= limit + eps if buy else touch >= limit - eps)
        qty = wanted if limit is None else min(wanted, size)
        if marketable and not (spec.tif == "FOK" and qty < w.record.remaining - eps):
            price = touch if (limit is None or not w.rested) else limit
            self._fill(w, qty, price, t)
        else:
            w.rested = True
        self._end_immediate(w)
        self._end_algo(w, t)

    def _fill(self, w: WorkingOrder, qty: float, price: float, t: datetime) -> None:
        r, inst = w.record, w.record.instrument
        value = qty * price * multiplier(inst)
        fee = fill_commission(inst, r.filled, w.value_filled, qty, value)
        side = "BOT" if w.spec.action == "BUY" else "SLD"
        realized = self._account.apply_fill(inst, side, qty, price, fee)
        r.avg_fill_price = average_price(r.avg_fill_price, r.filled, price, qty)
        r.filled += qty
        r.remaining = max(r.spec.total_quantity - r.filled, 0.0)
        r.last_fill_price = price
        r.commission += fee
        w.value_filled += value
        r.status = "Filled" if r.remaining <= 1e-9 else "Submitted"
        self._exec_seq += 1
        fill = Fill(
            exec_id=f"{self._exec_prefix}.{self._exec_seq:08x}.01.01",
            time=t,
            order_id=r.spec.order_id,
            client_id=r.spec.client_id,
            perm_id=r.perm_id,
            instrument=inst,
            side=side,
            shares=qty,
            price=price,
            cum_qty=r.filled,
            avg_price=r.avg_fill_price,
            order_ref=r.spec.order_ref,
            account=self._account.account_id,
            commission=fee,
            commission_currency=inst.currency,
            realized_pnl=realized,
        )
        self.fills.append(fill)
        forget_fills(self.fills, self.fills_kept)
        self.fill_count += 1
        self._emit(Filled(fill, snapshot(r)))
        self._emit(OrderChanged(snapshot(r)))
        oca.after_fill(w, qty, self.orders.values(), self._cancel_member, self._announce)
        if r.status == "Filled":
            self._after_complete(w, t)

    def _after_complete(self, w: WorkingOrder, t: datetime) -> None:
        oid, parent_id = w.spec.order_id, w.spec.parent_id
        for other in list(self.orders.values()):
            if not other.live:
                continue
            if other.spec.parent_id == oid:  # a filled parent releases its children
                self._activate(other, t)
            elif parent_id and other.spec.parent_id == parent_id:
                self._cancel(other)  # bracket children are one-cancels-all


def average_price(avg: float, filled: float, price: float, qty: float) -> float:
    """The average fill price after one more fill, without float noise: 10 shares at 230.02
    average 230.02, not 230.02000000000004 (IB reports averages to at most 8 decimals)."""
    if filled <= 0:
        return price
    return round((avg * filled + price * qty) / (filled + qty), 8)

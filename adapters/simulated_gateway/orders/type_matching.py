"""The exchange's steps for order types beyond market, limit and stop: trailing and touched
triggers, the auctions, immediate-or-nothing time in force, and the end of an algo's window.
Mixed into ``SimulatedExchange``; the decisions themselves live in ``order_types``,
``auction`` and ``algo_fills``."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from datetime import datetime

from adapters.simulated_gateway.model import (
    Instrument,
    OrderChanged,
    OrderRecord,
    Quote,
    WorldEvent,
)

from .algo_fills import may_run_past_end
from .auction import auction_price
from .order_types import TRAILING, fires, follow, on_trigger, reference
from .working_order import WorkingOrder


def _copy(record: OrderRecord) -> OrderRecord:
    # listeners may queue events: a copy later changes cannot reach
    return dataclasses.replace(record)


class OrderTypeMatching:
    _quote: Callable[[Instrument, datetime], Quote]
    _emit: Callable[[WorldEvent], None]

    def _fill(self, w: WorkingOrder, qty: float, price: float, t: datetime) -> None:
        raise NotImplementedError

    def _cancel(self, w: WorkingOrder) -> None:
        raise NotImplementedError

    def _elect(self, w: WorkingOrder, q: Quote) -> bool:
        """Move a trailing stop with the market, and trigger: True once it may execute."""
        spec, tick = w.spec, w.record.instrument.min_tick
        ref = reference(spec, q)
        if math.isnan(ref):
            return False
        if spec.order_type in TRAILING:
            moved = follow(spec, ref, tick)
            w.record.spec, changed = moved, moved != spec
            spec = moved
            if not fires(spec, ref):
                if changed:  # IB shows the new stop (openOrder's trailStopPrice)
                    self._emit(OrderChanged(_copy(w.record)))
                return False
        elif not fires(spec, ref):
            return False
        w.record.spec = on_trigger(spec, tick)
        w.triggered, w.rested = True, False
        w.record.status = "Submitted"
        self._emit(OrderChanged(_copy(w.record)))
        return True

    def _auction(self, w: WorkingOrder, t: datetime) -> None:
        """MOC/LOC at the close, OPG at the open: all at the auction's price, or cancelled."""
        at = w.auction_at
        if at is None or t < at:
            return
        spec = w.spec
        limit = spec.lmt_price if spec.order_type in ("LOC", "LMT") else None
        price = auction_price(spec, self._quote(w.record.instrument, at), limit)
        if price is None:
            self._cancel(w)
        else:
            self._fill(w, w.record.remaining, price, t)

    def _end_immediate(self, w: WorkingOrder) -> None:
        # IOC keeps no rest; FOK fills all at once or nothing
        if w.spec.tif in ("IOC", "FOK") and w.live:
            self._cancel(w)

    def _end_algo(self, w: WorkingOrder, t: datetime) -> None:
        span = w.algo_span
        if span is not None and t >= span[1] and w.live and not may_run_past_end(w.spec):
            self._cancel(w)

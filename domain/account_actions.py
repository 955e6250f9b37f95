"""Account-wide order actions: what cancelling every open order did to each of them."""

from __future__ import annotations

import msgspec

from domain.orders import OpenOrder


class CancelledOrder(msgspec.Struct, frozen=True, kw_only=True):
    """An order that was open when the cancel went out, and its state afterwards."""

    order: OpenOrder
    # Cancelled, or what else became of it (Filled first, or still open when IB took long).
    final_status: str


class CancelAllResult(msgspec.Struct, frozen=True, kw_only=True):
    """Every order that was open (of every client of the account), and its final state."""

    orders: list[CancelledOrder]
    count: int
    # True when every one of them is over (cancelled or filled) by the time of the answer.
    complete: bool

"""One-cancels-all groups: what a fill of one order of a group does to the others.

IB's ``ocaType``: 1 cancels every other order of the group (with block: protected against
overfills); 2 reduces the others' quantity by the filled quantity, with block; 3 the same
without block. Here a reduced order whose quantity is used up is cancelled; block and no
block behave alike (the simulated exchange fills one order at a time, so nothing overfills).
Groups are per account: the group's name, whatever client placed its orders.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Protocol

from adapters.simulated_gateway.model import OrderRecord, OrderSpec


class Member(Protocol):
    record: OrderRecord

    @property
    def spec(self) -> OrderSpec: ...

    @property
    def live(self) -> bool: ...


def after_fill(
    filled: Member,
    qty: float,
    others: Iterable[Member],
    cancel: Callable[[Member], None],
    reduced: Callable[[Member], None],
) -> None:
    """Apply the group's rule to the live orders of ``filled``'s OCA group."""
    group = filled.spec.oca_group
    if not group:
        return
    for other in list(others):
        if other is filled or not other.live or other.spec.oca_group != group:
            continue
        if filled.spec.oca_type in (2, 3):
            total = max(other.spec.total_quantity - qty, 0.0)
            other.record.spec = replace(other.spec, total_quantity=total)
            other.record.remaining = max(total - other.record.filled, 0.0)
            if other.record.remaining <= 1e-9:
                cancel(other)
            else:
                reduced(other)
        else:
            cancel(other)

"""A change to a working order: new quantity, prices or time in force, nothing else."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
import msgspec.structs
from msgspec import Meta

from domain.algos import Algo
from domain.errors import InvalidRequest
from domain.order_types import ORDER_TYPE_RULES
from domain.orders import TIME_IN_FORCE, OpenOrder, OrderRequest, Price
from domain.validation import check_choice, check_good_till

CHANGEABLE = ("quantity", "limit_price", "stop_price", "time_in_force", "good_till_date")
_LIMIT_TYPES = tuple(k for k, rule in ORDER_TYPE_RULES.items() if "limit_price" in rule.allowed)
_STOP_TYPES = ("STP", "STP LMT")


class OrderChange(
    msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True
):
    """The new terms of an order; a field left out keeps its value."""

    quantity: Annotated[float, Meta(gt=0)] | None = None
    limit_price: Price | None = None
    stop_price: Price | None = None
    time_in_force: str | None = None
    good_till_date: str | None = None

    def __post_init__(self) -> None:
        if not self.changed:
            raise InvalidRequest(
                f"Nothing to change: give at least one of {', '.join(CHANGEABLE)}",
                accepted=list(CHANGEABLE),
            )
        if self.time_in_force is not None:
            tif = self.time_in_force.strip().upper()
            check_choice(tif, TIME_IN_FORCE, "time_in_force")
            msgspec.structs.force_setattr(self, "time_in_force", tif)
        if self.good_till_date is not None:
            check_good_till(self.good_till_date, "good_till_date")

    @property
    def changed(self) -> list[str]:
        """The fields this change sets."""
        return [name for name in CHANGEABLE if getattr(self, name) is not None]

    def applied_to(self, current: OpenOrder) -> OrderRequest:
        """The whole order as it stands after the change (the order's rules run on it)."""
        kind = current.order_type
        if self.limit_price is not None and kind not in _LIMIT_TYPES:
            raise InvalidRequest(
                f"limit_price applies to {', '.join(_LIMIT_TYPES)} orders; order {current.order_id} is "
                f"{kind}",
                field="limit_price",
            )
        if self.stop_price is not None and kind not in _STOP_TYPES:
            raise InvalidRequest(
                f"stop_price applies to STP and STP LMT orders; order {current.order_id} is {kind}",
                field="stop_price",
            )
        tif = self.time_in_force or current.time_in_force
        if self.good_till_date is not None and tif != "GTD":
            raise InvalidRequest(
                "good_till_date applies to GTD orders: give time_in_force GTD with it",
                field="good_till_date",
            )
        good_till = self.good_till_date or (current.good_till_date if tif == "GTD" else None)
        return OrderRequest(
            action=current.action,
            quantity=self.quantity if self.quantity is not None else current.quantity,
            order_type=kind,
            contract_id=current.contract_id,
            limit_price=self.limit_price if self.limit_price is not None else current.limit_price,
            stop_price=self.stop_price if self.stop_price is not None else current.stop_price,
            time_in_force=tif,
            good_till_date=good_till,
            outside_rth=current.outside_rth,
            client_order_id=current.client_order_id,
            **_type_terms(current),
        )


def _type_terms(current: OpenOrder) -> dict[str, Any]:
    """The terms of the order's type beyond limit and stop price, carried over unchanged. A
    trailing order keeps its trailing distance; its moving stop is IB's to keep."""
    terms: dict[str, Any] = {
        name: getattr(current, name)
        for name in ("trigger_price", "trailing_amount", "trailing_percent", "limit_offset",
                     "offset")
        if getattr(current, name) is not None
    }  # fmt: skip
    if current.algo is not None:
        terms["algo"] = Algo(strategy=current.algo.strategy, params=dict(current.algo.params))
    return terms

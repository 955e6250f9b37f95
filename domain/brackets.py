"""Orders that belong together: a bracket (an entry with a take-profit and a stop-loss that
leave the position again) and a one-cancels-all (OCA) group.

A bracket's exits are given as prices or relative to the entry (``offset`` in the contract's
currency, or ``percent``), and become child orders of the entry: IB holds them until the entry
fills, then works them as one OCA group, so the first exit to fill cancels the other.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
import msgspec.structs
from msgspec import UNSET, Meta, UnsetType

from domain.errors import InvalidRequest
from domain.orders import OrderRequest, OrderResult

Role = Literal["parent", "take_profit", "stop_loss", "member"]
# IB's OCA types: 1 cancels the rest with block, 2 reduces the rest with block, 3 reduces
# them without block (block: the group's orders are protected against overfills).
OCA_TYPES = (1, 2, 3)
EXIT_SUFFIX = {"take_profit": ":tp", "stop_loss": ":sl"}
# A bracket's key names its exits too (key + ":tp"/":sl"), which must fit IB's 40 characters.
MAX_GROUP_KEY = 37


class PriceTarget(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Where an exit sits: exactly one of a price, an offset from the entry, a percentage."""

    price: Annotated[float, Meta(gt=0)] | None = None
    offset: Annotated[float, Meta(gt=0)] | None = None
    percent: Annotated[float, Meta(gt=0, lt=100)] | None = None

    def __post_init__(self) -> None:
        given = [n for n in ("price", "offset", "percent") if getattr(self, n) is not None]
        if len(given) != 1:
            raise InvalidRequest(
                "An exit needs exactly one of price, offset or percent", field="price"
            )

    def resolve(self, entry: float, *, above: bool) -> float:
        """The exit price for an entry at ``entry``; ``above`` is the side the exit is on."""
        if self.price is not None:
            return self.price
        distance = self.offset if self.offset is not None else entry * (self.percent or 0) / 100
        return round_price(entry + distance if above else entry - distance)


def round_price(price: float) -> float:
    """A price on IB's usual grid: cents from 1 up, 1/10000 below."""
    return round(price, 2 if price >= 1 else 4)


class BracketRequest(msgspec.Struct, frozen=True, kw_only=True):
    """An entry (``entry``: MKT or LMT) with a stop-loss and an optional take-profit; without
    a take-profit it is an order with an attached stop."""

    entry: OrderRequest
    stop_loss: PriceTarget
    take_profit: PriceTarget | None = None
    # The exits' time in force (the entry keeps its own): GTC keeps them past today.
    exit_time_in_force: Literal["DAY", "GTC"] = "GTC"

    def __post_init__(self) -> None:
        if self.entry.order_type not in ("MKT", "LMT"):
            raise InvalidRequest("A bracket's entry is MKT or LMT", field="order_type")
        key = self.entry.client_order_id
        if key is not None and len(key) > MAX_GROUP_KEY:
            raise InvalidRequest(
                f"A bracket's client_order_id has at most {MAX_GROUP_KEY} characters "
                "(its exits add :tp and :sl)",
                field="client_order_id",
            )

    def legs(self, reference: float, oca_group: str) -> list[GroupLeg]:
        """The parent and its exits, priced from ``reference`` (the entry's limit price, or the
        market's price for a MKT entry); refuses exits on the wrong side of the entry."""
        entry = self.entry
        buying = entry.action == "BUY"
        key = entry.client_order_id
        exit_action = "SELL" if buying else "BUY"
        stop = self.stop_loss.resolve(reference, above=not buying)
        exits: list[tuple[Role, OrderRequest]] = []
        if self.take_profit is not None:
            target = self.take_profit.resolve(reference, above=buying)
            if (target <= reference) if buying else (target >= reference):
                raise InvalidRequest(
                    f"The take-profit ({target:g}) must be {'above' if buying else 'below'} "
                    f"the entry ({reference:g}) of a {entry.action}",
                    field="take_profit",
                )
            exits.append(("take_profit", _exit(entry, exit_action, "LMT", target, key, self)))
        if (stop >= reference) if buying else (stop <= reference):
            raise InvalidRequest(
                f"The stop-loss ({stop:g}) must be {'below' if buying else 'above'} the entry "
                f"({reference:g}) of a {entry.action}",
                field="stop_loss",
            )
        exits.append(("stop_loss", _exit(entry, exit_action, "STP", stop, key, self)))
        # IB's bracket protocol: only the last order transmits, and with it the whole family.
        parent = msgspec.structs.replace(entry, transmit=False)
        legs = [GroupLeg(role="parent", order=parent)]
        for number, (role, order) in enumerate(exits, start=1):
            last = number == len(exits)
            legs.append(
                GroupLeg(
                    role=role,
                    order=msgspec.structs.replace(order, transmit=last),
                    parent=0,
                    oca_group=oca_group,
                    oca_type=1,
                )
            )
        return legs


def _exit(
    entry: OrderRequest,
    action: str,
    order_type: str,
    price: float,
    key: str | None,
    bracket: BracketRequest,
) -> OrderRequest:
    role = "take_profit" if order_type == "LMT" else "stop_loss"
    prices = {"limit_price": price, "stop_price": None}
    if order_type == "STP":
        prices = {"limit_price": None, "stop_price": price}
    return msgspec.structs.replace(
        entry,
        action=action,
        order_type=order_type,
        time_in_force=bracket.exit_time_in_force,
        good_till_date=None,
        tif=None,
        client_order_id=f"{key}{EXIT_SUFFIX[role]}" if key else None,
        **prices,
    )


class GroupLeg(msgspec.Struct, frozen=True, kw_only=True):
    """One order of a group as it is sent: its parent (an earlier leg's index) and OCA group."""

    role: Role
    order: OrderRequest
    parent: int | None = None
    oca_group: str | None = None
    oca_type: int = 0


class BracketResult(msgspec.Struct, frozen=True, kw_only=True):
    """The bracket's orders as IB acknowledged them: the entry (parent) and its exits."""

    parent: OrderResult
    stop_loss: OrderResult
    take_profit: OrderResult | None = None
    oca_group: str
    client_order_id: str | UnsetType = UNSET
    # True when an earlier request with this client_order_id placed the bracket.
    duplicate: bool | UnsetType = UNSET


class OcaResult(msgspec.Struct, frozen=True, kw_only=True):
    """The OCA group's orders as IB acknowledged them, in the order given."""

    oca_group: str
    oca_type: int
    orders: list[OrderResult]
    client_order_id: str | UnsetType = UNSET
    duplicate: bool | UnsetType = UNSET


class OcaRequest(msgspec.Struct, frozen=True, kw_only=True):
    """Orders in one one-cancels-all group: when one fills, IB cancels (type 1) or reduces
    (types 2, 3) the others. ``client_order_id`` keys the whole group (members: key:1, ...)."""

    orders: list[OrderRequest]
    oca_type: int = 1
    oca_group: str | None = None
    client_order_id: str | None = None

    def __post_init__(self) -> None:
        if not 2 <= len(self.orders) <= 10:
            raise InvalidRequest("An OCA group has 2 to 10 orders", field="orders")
        if self.oca_type not in OCA_TYPES:
            raise InvalidRequest(
                "oca_type is 1, 2 or 3", field="oca_type", accepted=["1", "2", "3"]
            )
        for n, order in enumerate(self.orders):
            if order.client_order_id is not None:
                raise InvalidRequest(
                    "Give the group one client_order_id, not one per order",
                    field=f"orders[{n}].client_order_id",
                )
            if not order.transmit:
                raise InvalidRequest("OCA orders are transmitted", field=f"orders[{n}].transmit")
        if self.client_order_id is not None and len(self.client_order_id) > MAX_GROUP_KEY:
            raise InvalidRequest(
                f"An OCA group's client_order_id has at most {MAX_GROUP_KEY} characters",
                field="client_order_id",
            )

    def legs(self, name: str) -> list[GroupLeg]:
        key = self.client_order_id
        return [
            GroupLeg(
                role="member",
                order=msgspec.structs.replace(order, client_order_id=f"{key}:{n}" if key else None),
                oca_group=name,
                oca_type=self.oca_type,
            )
            for n, order in enumerate(self.orders, start=1)
        ]

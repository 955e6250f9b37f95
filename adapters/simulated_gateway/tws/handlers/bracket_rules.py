"""IB's refusals of malformed order families (brackets), before the exchange sees them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from adapters.simulated_gateway.tws.order_ids import OrderIds
from adapters.simulated_gateway.tws.order_request import PlaceOrderRequest

if TYPE_CHECKING:
    from adapters.simulated_gateway.tws.client import Client

CANT_FIND_ORDER = 135  # IB: "Can't find order with id ="


def refuse_orphan(session: Client, ids: OrderIds, req: PlaceOrderRequest) -> bool:
    """A child whose parent id this client never placed is refused with IB's 135 (and
    nothing is placed); True when refused."""
    if not req.parent_id or ids.world_id(session.client_id, req.parent_id) is not None:
        return False
    session.error(req.order_id, CANT_FIND_ORDER, f"Can't find order with id = {req.parent_id}")
    return True

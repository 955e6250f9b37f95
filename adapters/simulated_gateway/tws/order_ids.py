"""Per-client order ids on top of the world's single order-id space.

IB order ids belong to a client id: two API clients may both place order 5. The world knows
orders by one id only (``cancel_order(order_id)``), so the wire side maps each
(clientId, orderId) to a world id, reusing the client's own number whenever it is free so that
logs stay readable in the common single-client case.
"""

from __future__ import annotations

DONE_STATES = frozenset({"Filled", "Cancelled", "ApiCancelled", "Inactive"})


class OrderIds:
    def __init__(self) -> None:
        self._to_world: dict[tuple[int, int], int] = {}
        self._to_client: dict[int, tuple[int, int]] = {}
        self._next_valid: dict[int, int] = {}
        self._status: dict[int, str] = {}
        self._highest_world = 0

    def next_valid(self, client_id: int) -> int:
        """NEXT_VALID_ID for a client: above every order id it has used (kept across reconnects)."""
        return self._next_valid.get(client_id, 1)

    def note_used(self, client_id: int, order_id: int) -> None:
        if order_id >= self._next_valid.get(client_id, 1):
            self._next_valid[client_id] = order_id + 1

    def world_id(self, client_id: int, order_id: int) -> int | None:
        return self._to_world.get((client_id, order_id))

    def assign(self, client_id: int, order_id: int) -> int:
        """The world id for a client's order, allocating one for a new order."""
        key = (client_id, order_id)
        known = self._to_world.get(key)
        if known is not None:
            return known
        world = order_id if order_id > 0 and order_id not in self._to_client else 0
        if not world:
            world = max(self._highest_world, order_id) + 1
            while world in self._to_client:
                world += 1
        self._highest_world = max(self._highest_world, world)
        self._to_world[key] = world
        self._to_client[world] = key
        return world

    def client_of(self, world_id: int, default_client: int) -> tuple[int, int]:
        """(clientId, orderId) as the owning client knows the order."""
        return self._to_client.get(world_id, (default_client, world_id))

    def set_status(self, world_id: int, status: str) -> None:
        self._status[world_id] = status

    def status(self, world_id: int) -> str:
        return self._status.get(world_id, "")

    def is_done(self, world_id: int) -> bool:
        return self._status.get(world_id, "") in DONE_STATES

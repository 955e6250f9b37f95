"""Per-client order ids on top of the world's single order-id space.

IB order ids belong to a client id: two API clients may both place order 5. The world knows
orders by one id only (``cancel_order(order_id)``), so the wire side maps each
(clientId, orderId) to a world id, reusing the client's own number whenever it is free so that
logs stay readable in the common single-client case.

Every order that is not finished keeps its mapping; of the finished ones, the ``finished_kept``
that finished most recently (at least as many as the exchange keeps: see ``order_history``).
A client's next valid id is kept for good (one number per client id).
"""

from __future__ import annotations

from collections import deque

from adapters.simulated_gateway.orders.order_history import FINISHED_KEPT

DONE_STATES = frozenset({"Filled", "Cancelled", "ApiCancelled", "Inactive"})


class OrderIds:
    def __init__(self, finished_kept: int = 2 * FINISHED_KEPT) -> None:
        self._to_world: dict[tuple[int, int], int] = {}
        self._to_client: dict[int, tuple[int, int]] = {}
        self._next_valid: dict[int, int] = {}
        self._status: dict[int, str] = {}
        self._highest_world = 0
        self._finished: deque[int] = deque()  # world ids, in the order they finished
        self._finished_kept = finished_kept

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
        was_done = self.is_done(world_id)
        self._status[world_id] = status
        if status in DONE_STATES and not was_done:
            self._finished.append(world_id)
            while len(self._finished) > self._finished_kept:
                oldest = self._finished.popleft()
                if self.is_done(oldest):  # (an Inactive order may work again)
                    self._forget(oldest)

    def _forget(self, world_id: int) -> None:
        self._status.pop(world_id, None)
        key = self._to_client.pop(world_id, None)
        if key is not None and self._to_world.get(key) == world_id:
            del self._to_world[key]

    @property
    def known(self) -> int:
        """How many orders have a mapping."""
        return len(self._to_client)

    def status(self, world_id: int) -> str:
        return self._status.get(world_id, "")

    def is_done(self, world_id: int) -> bool:
        return self._status.get(world_id, "") in DONE_STATES

"""World events (order changes, fills, portfolio changes) fanned out to the clients concerned."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from copy import copy
from typing import TYPE_CHECKING

import structlog

from adapters.simulated_gateway.model import Filled, OrderChanged, PortfolioChanged, WorldEvent

if TYPE_CHECKING:
    from adapters.simulated_gateway.tws.session import ClientSession

log = structlog.get_logger(__name__)


class EventFanOut:
    """Order events go to the client that owns the order, portfolio changes to every client."""

    def __init__(self, clients: dict[int, ClientSession], on_event: Callable[[], None]) -> None:
        self._clients = clients
        self._on_event = on_event
        self._held: list[WorldEvent] | None = None

    @contextlib.contextmanager
    def held(self) -> Iterator[list[WorldEvent]]:
        """Queue world events during a synchronous world call so that the direct reply (e.g.
        OPEN_ORDER for a new order) reaches the client before the fills it caused."""
        if self._held is not None:  # nested: the outer block delivers
            yield self._held
            return
        held: list[WorldEvent] = []
        self._held = held
        try:
            yield held
        finally:
            self._held = None
            for event in held:
                self._deliver(event)

    def on_world_event(self, event: WorldEvent) -> None:
        self._on_event()
        # OrderRecord is mutable: snapshot it now so each message shows the state of its moment
        if isinstance(event, OrderChanged):
            event = OrderChanged(copy(event.record))
        elif isinstance(event, Filled):
            event = Filled(event.fill, copy(event.record))
        if self._held is not None:
            self._held.append(event)
        else:
            self._deliver(event)

    def _deliver(self, event: WorldEvent) -> None:
        try:
            if isinstance(event, PortfolioChanged):
                for session in list(self._clients.values()):
                    session.account_handlers.on_portfolio(event)
                    session.pnl.on_portfolio()
                return
            owner = self._clients.get(event.record.spec.client_id)
            if owner is None:
                return
            if isinstance(event, Filled):
                owner.order_events.on_fill(event.fill, event.record)
            else:
                owner.order_events.on_order_changed(event.record)
        except Exception:
            log.exception("simulator.event_delivery_failed", event=type(event).__name__)

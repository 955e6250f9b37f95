"""Run-time fault injection: the failures a real IB Gateway shows, on demand.

Tests and the control interface use ``simulator.faults``. Every fault is a status change a
real gateway produces (dropped sockets, a restart refusing connections, broken data farms,
lost connectivity to IB, slow replies, a rejected order); none drops an idle client by itself.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import Protocol

import structlog

from adapters.simulated_gateway.tws.subscription_faults import Rule, make_rules

log = structlog.get_logger(__name__)

FARM_OK = (
    (2104, "Market data farm connection is OK:usfarm"),
    (2106, "HMDS data farm connection is OK:ushmds"),
    (2158, "Sec-def data farm connection is OK:secdefnj"),
)
FARM_BROKEN = (2103, "Market data farm connection is broken:usfarm")
LOST = (1100, "Connectivity between IB and Trader Workstation has been lost.")
RESTORED_DATA_LOST = (
    1101,
    "Connectivity between IB and Trader Workstation has been restored - data lost.",
)
RESTORED_DATA_KEPT = (
    1102,
    "Connectivity between IB and Trader Workstation has been restored - data maintained.",
)
DEFAULT_REJECT_REASON = "Order rejected by the simulated exchange."


class FaultTarget(Protocol):
    """What a fault does to the gateway (``TwsSimulator``); faults do not import the server."""

    def drop_all(self) -> None: ...

    def refuse_for(self, seconds: float) -> None: ...

    def broadcast_error(self, code: int, text: str) -> None: ...

    def clear_market_data_subscriptions(self) -> None: ...

    def release_held_orders(self) -> None: ...


class Faults:
    def __init__(self, server: FaultTarget) -> None:
        self._server = server
        self.latency = 0.0
        self._market_data_on = True
        self._severed = False
        self._rejections: deque[str] = deque()
        # kind of data -> the missing subscription its requests meet (subscription_faults)
        self.subscriptions: dict[str, Rule] = {}

    @property
    def severed(self) -> bool:
        """IB's servers unreachable (1100): no history is served, orders wait at the gateway."""
        return self._severed

    @property
    def market_data_flowing(self) -> bool:
        return self._market_data_on and not self._severed

    def farm_notices(self) -> list[tuple[int, str]]:
        """The farm status messages a newly connected client receives."""
        notices = list(FARM_OK)
        if not self._market_data_on:
            notices[0] = FARM_BROKEN
        return notices

    def drop_all_connections(self) -> None:
        """Close every client socket at once (clients see a disconnect)."""
        log.warning("simulator.fault", fault="drop_all_connections")
        self._server.drop_all()

    def refuse_connections(self, seconds: float) -> None:
        """A gateway restart: drop clients and stop listening for ``seconds``."""
        log.warning("simulator.fault", fault="refuse_connections", seconds=seconds)
        self._server.refuse_for(seconds)

    def stop_market_data(self) -> None:
        """No more ticks; clients are told the market data farm is broken (2103)."""
        log.warning("simulator.fault", fault="stop_market_data")
        self._market_data_on = False
        self._server.broadcast_error(*FARM_BROKEN)

    def resume_market_data(self) -> None:
        log.info("simulator.fault_cleared", fault="stop_market_data")
        self._market_data_on = True
        self._server.broadcast_error(*FARM_OK[0])

    def set_latency(self, seconds: float) -> None:
        """Delay every reply by ``seconds`` (order preserved); 0 turns it off."""
        log.warning("simulator.fault", fault="set_latency", seconds=seconds)
        self.latency = max(0.0, float(seconds))

    def reject_next_order(self, reason: str = DEFAULT_REJECT_REASON) -> None:
        """The next new order or modification is rejected with IB's code 201."""
        log.warning("simulator.fault", fault="reject_next_order", reason=reason)
        self._rejections.append(reason)

    def take_order_rejection(self) -> str | None:
        return self._rejections.popleft() if self._rejections else None

    def sever_with_1100(self) -> None:
        """IB's servers are unreachable (1100): the socket stays up, data stops, historical
        requests fail (162) and order instructions wait at the gateway until 1101/1102."""
        log.warning("simulator.fault", fault="sever_with_1100")
        self._severed = True
        self._server.broadcast_error(*LOST)

    def restore_1101(self) -> None:
        """Connectivity back but market data subscriptions are lost (1101): clients resubscribe."""
        log.info("simulator.fault_cleared", fault="sever", code=1101)
        self._severed = False
        self._server.clear_market_data_subscriptions()
        self._server.broadcast_error(*RESTORED_DATA_LOST)
        self._server.release_held_orders()

    def restore_1102(self) -> None:
        """Connectivity back with subscriptions kept (1102)."""
        log.info("simulator.fault_cleared", fault="sever", code=1102)
        self._severed = False
        self._server.broadcast_error(*RESTORED_DATA_KEPT)
        self._server.release_held_orders()

    def require_subscription(
        self,
        kinds: str | Iterable[str] = "all",
        symbols: str | Iterable[str] | None = None,
        code: int | None = None,
    ) -> None:
        """Requests of these kinds of data (quotes, depth, ticks, bars, history, scanner,
        fundamentals, or all), for these symbols (or every one), meet IB's answer for an
        account without the subscription: ``code`` or the usual one (subscription_faults)."""
        rules = make_rules(kinds, symbols, code)
        log.warning("simulator.fault", fault="require_subscription", kinds=sorted(rules),
                    symbols=symbols, code=code)  # fmt: skip
        self.subscriptions.update(rules)

    def clear_subscriptions(self) -> None:
        log.info("simulator.fault_cleared", fault="require_subscription")
        self.subscriptions.clear()

    def reset(self) -> None:
        """Clear every fault that is a state (latency, silenced data, severed link, rejections,
        missing subscriptions)."""
        self.subscriptions.clear()
        self.latency = 0.0
        self._market_data_on = True
        self._severed = False
        self._rejections.clear()
        self._server.release_held_orders()

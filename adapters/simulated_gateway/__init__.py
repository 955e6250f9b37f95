"""The simulated IB Gateway: a TWS API socket server in front of a simulated market, exchange
and paper account.

Its parts, each a sub-package, import one way (import-linter keeps it so, see pyproject.toml):

- ``control``: the simulator as a service: ``SimulatedGateway`` (the ``GatewayRuntime`` port)
  and the standalone process with its loopback fault-control HTTP interface.
- ``tws``: the TWS API wire protocol: framing, messages, the listener, one client's session
  (handshake, dispatch), pacing, run-time faults; ``tws.handlers`` turns requests into calls on
  the world and replies.
- ``world``: ``SimWorld``, the parts below assembled behind the ``model.World`` protocol.
- ``orders``: the simulated exchange and IB's order rules and types.
- ``portfolio``: the paper account's books, commissions, margin, reports and PnL.
- ``markets``: instruments, prices, bars, ticks, depth, options, scanner, calendars.
- ``model``: the seam between the wire side and the world side (plain dataclasses, protocols).

Code outside the simulator imports the names below from here.
"""

from adapters.simulated_gateway.control.runtime import SimulatedGateway
from adapters.simulated_gateway.control.standalone import ControlServer, run_standalone
from adapters.simulated_gateway.model import World
from adapters.simulated_gateway.tws.server import DEFAULT_MARKET_DATA_LINES, TwsSimulator
from adapters.simulated_gateway.world import SimWorld

__all__ = [
    "DEFAULT_MARKET_DATA_LINES",
    "ControlServer",
    "SimWorld",
    "SimulatedGateway",
    "TwsSimulator",
    "World",
    "run_standalone",
]

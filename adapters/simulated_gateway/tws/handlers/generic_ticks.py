"""Generic ticks sent once when a market data request asks for them.

236 (shortable): tick 46, IB's shortable value (above 2.5 = at least 1000 shares available,
i.e. easy to borrow); the simulated stocks are all easy to borrow, 3.0.
165 (misc stats): ticks 15-20, the 13/26/52-week low and high, from the same daily bars that
historical data serves, and tick 21, the average daily volume over the last 90 sessions.
(106, option implied volatility tick 24, goes with the option greeks in handlers_market;
101, an option's open interest, is option_ticks'.)
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import structlog

from adapters.simulated_gateway.model import Instrument
from adapters.simulated_gateway.tws import messages as msg
from adapters.simulated_gateway.tws.handlers.option_ticks import (
    OPEN_INTEREST_GENERIC,
    send_open_interest,
)

if TYPE_CHECKING:
    from adapters.simulated_gateway.tws.client import Client

log = structlog.get_logger(__name__)

SHORTABLE_GENERIC, MISC_STATS_GENERIC = "236", "165"
SHORTABLE = 46
EASY_TO_BORROW = 3.0
# (weeks back, low tick, high tick)
_WEEK_RANGES = ((13, 15, 16), (26, 17, 18), (52, 19, 20))
AVG_VOLUME = 21
AVG_VOLUME_SESSIONS = 90


def send_generic_ticks(
    session: Client, req_id: int, inst: Instrument, generic: frozenset[str]
) -> None:
    if SHORTABLE_GENERIC in generic and inst.sec_type == "STK":
        session.send(msg.tick_generic(req_id, SHORTABLE, EASY_TO_BORROW))
    if MISC_STATS_GENERIC in generic:
        _misc_stats(session, req_id, inst)
    if OPEN_INTEREST_GENERIC in generic and inst.sec_type == "OPT":
        send_open_interest(session, req_id, inst)


def _misc_stats(session: Client, req_id: int, inst: Instrument) -> None:
    what = "MIDPOINT" if inst.sec_type == "CASH" else "TRADES"
    try:
        bars = session.world.historical_bars(inst.con_id, None, "1 Y", "1 day", what, True)
    except Exception as exc:  # no history for this instrument: IB then sends no stats either
        log.info("simulator.no_misc_stats", con_id=inst.con_id, error=str(exc))
        return
    if not bars:
        return
    now = session.world.now()
    for weeks, low_tick, high_tick in _WEEK_RANGES:
        recent = [b for b in bars if b.time >= now - timedelta(weeks=weeks)] or bars[-1:]
        session.send(msg.tick_price(req_id, low_tick, min(b.low for b in recent)))
        session.send(msg.tick_price(req_id, high_tick, max(b.high for b in recent)))
    volumes = [b.volume for b in bars[-AVG_VOLUME_SESSIONS:] if b.volume >= 0]
    if volumes:
        session.send(msg.tick_size(req_id, AVG_VOLUME, round(sum(volumes) / len(volumes))))

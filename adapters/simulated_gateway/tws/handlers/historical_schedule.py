"""reqHistoricalData (20) with whatToShow=SCHEDULE -> HISTORICAL_SCHEDULE (106).

106|reqId|startDateTime|endDateTime|timeZone|sessionCount|(start|end|refDate)*, every time
``YYYYMMDD-HH:MM:SS`` in the named zone and refDate ``YYYYMMDD``; one message ends the request.
IB serves it from server version 165 (MIN_SERVER_VER_HISTORICAL_SCHEDULE); IB's own client
refuses to send it below, the simulator answers an older session with IB's 503.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from adapters.simulated_gateway.markets.trading_schedule import TradingSchedule, trading_schedule
from adapters.simulated_gateway.model import HistoricalDataError, Instrument
from adapters.simulated_gateway.tws.versions import (
    HISTORICAL_SCHEDULE,
    UPDATE_TWS,
    UPDATE_TWS_TEXT,
)

if TYPE_CHECKING:
    from adapters.simulated_gateway.tws.client import Client

Fields = list[str]
HISTORICAL_SCHEDULE_MSG = "106"
WHAT_TO_SHOW = "SCHEDULE"
_TIME = "%Y%m%d-%H:%M:%S"


def historical_schedule(req_id: int, schedule: TradingSchedule) -> Fields:
    sessions = schedule.sessions
    fields = [
        HISTORICAL_SCHEDULE_MSG,
        str(req_id),
        sessions[0].start.strftime(_TIME),
        sessions[-1].end.strftime(_TIME),
        schedule.zone,
        str(len(sessions)),
    ]
    for s in sessions:
        fields += [s.start.strftime(_TIME), s.end.strftime(_TIME), s.ref_date.strftime("%Y%m%d")]
    return fields


def answer_schedule(
    session: Client,
    req_id: int,
    inst: Instrument,
    end: datetime | None,
    duration: str,
    use_rth: bool,
) -> None:
    """Answer one SCHEDULE request of ``session`` for ``inst`` up to ``end`` (None: now):
    106, or IB's error."""
    if session.server_version < HISTORICAL_SCHEDULE:
        text = (f"{UPDATE_TWS_TEXT} It does not support requesting of historical schedule "
                f"below server version {HISTORICAL_SCHEDULE} "
                f"(this session: {session.server_version}).")  # fmt: skip
        session.error(req_id, UPDATE_TWS, text)
        return
    try:
        schedule = trading_schedule(inst, end or session.world.now(), duration, use_rth)
    except HistoricalDataError as exc:
        session.error(req_id, exc.code, exc.message)
        return
    session.send(historical_schedule(req_id, schedule))

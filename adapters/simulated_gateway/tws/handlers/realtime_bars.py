"""Real-time bars: reqRealTimeBars (50) and cancelRealTimeBars (51).

IB sends one 5-second bar per subscription each time simulated time crosses a 5-second
boundary, stamped with the bar's start. The bar is the world's own historical 5-second bar for
that window, so it agrees with reqHistoricalData and with the price path the quotes follow.
A long step (or ``TwsSimulator.advance``) that crosses several boundaries sends each bar once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from adapters.simulated_gateway.model import HistoricalDataError, Instrument
from adapters.simulated_gateway.tws import messages_market as mm
from adapters.simulated_gateway.tws.wire import FieldReader

if TYPE_CHECKING:
    from adapters.simulated_gateway.tws.client import Client

BAR_SECONDS = 5
SOURCES = ("TRADES", "MIDPOINT", "BID", "ASK")
INVALID_QUERY = "Invalid Real-time Query:"
_HMDS_PREFIX = "Historical Market Data Service error message:"
_MAX_CATCH_UP = 12  # bars sent after one long step, at most (a minute of them)


@dataclass(slots=True)
class BarStream:
    instrument: Instrument
    what: str
    use_rth: bool
    next_end: int  # epoch seconds at which the bar being built closes


class RealTimeBarHandlers:
    def __init__(self, session: Client) -> None:
        self.session = session
        self.streams: dict[int, BarStream] = {}

    def routes(self) -> dict[str, Any]:
        return {"50": self.req_real_time_bars, "51": self.cancel_real_time_bars}

    def clear(self) -> None:
        self.streams.clear()

    def req_real_time_bars(self, fields: list[str]) -> None:
        # 50|3|reqId|C12|barSize|whatToShow|useRTH|realTimeBarsOptions
        r = FieldReader(fields, 2)
        req_id = r.integer()
        query = r.contract()
        bar_size = r.integer()
        what = r.text().upper()
        use_rth = r.flag()
        session = self.session
        inst = session.resolve(req_id, query)
        if inst is None:
            return
        if bar_size != BAR_SECONDS:
            text = f"{INVALID_QUERY}Invalid bar size {bar_size}: only 5 second bars are supported"
            session.error(req_id, 420, text)
            return
        if what not in SOURCES:
            session.error(req_id, 420, f"{INVALID_QUERY}Invalid whatToShow {what}")
            return
        if req_id not in self.streams and not session.market.line_available(req_id):
            return
        now = int(session.world.now().timestamp())
        boundary = now - now % BAR_SECONDS
        try:  # the data must exist (no TRADES for forex): ask once, as IB checks up front
            session.world.historical_bars(
                inst.con_id, _utc(boundary), "5 S", "5 secs", what, use_rth
            )
        except HistoricalDataError as exc:
            session.error(req_id, 420, INVALID_QUERY + exc.message.removeprefix(_HMDS_PREFIX))
            return
        self.streams[req_id] = BarStream(inst, what, use_rth, boundary + BAR_SECONDS)

    def cancel_real_time_bars(self, fields: list[str]) -> None:
        self.streams.pop(FieldReader(fields, 2).integer(), None)

    def on_step(self) -> None:
        if not self.streams:
            return
        now = int(self.session.world.now().timestamp())
        boundary = now - now % BAR_SECONDS
        flowing = self.session.server.faults.market_data_flowing
        for req_id, stream in list(self.streams.items()):
            if boundary < stream.next_end:
                continue
            if flowing:  # bars of a window without data are lost, as the ticks are
                first = max(stream.next_end, boundary - (_MAX_CATCH_UP - 1) * BAR_SECONDS)
                for end in range(first, boundary + 1, BAR_SECONDS):
                    if not self._send_bar(req_id, stream, end):
                        break
            stream.next_end = boundary + BAR_SECONDS

    def _send_bar(self, req_id: int, stream: BarStream, end: int) -> bool:
        session = self.session
        try:
            bars = session.world.historical_bars(
                stream.instrument.con_id, _utc(end), "5 S", "5 secs", stream.what, stream.use_rth
            )
        except HistoricalDataError as exc:  # never silently: end the subscription with IB's word
            self.streams.pop(req_id, None)
            session.error(req_id, 420, INVALID_QUERY + exc.message.removeprefix(_HMDS_PREFIX))
            return False
        start = end - BAR_SECONDS
        for bar in bars:  # none outside the (regular) trading hours
            if int(bar.time.timestamp()) == start:
                session.send(mm.real_time_bar(req_id, start, bar.open, bar.high, bar.low,
                                              bar.close, bar.volume, bar.wap, bar.count))  # fmt: skip
        return True


def _utc(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)

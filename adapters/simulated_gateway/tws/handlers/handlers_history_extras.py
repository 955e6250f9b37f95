"""Head timestamps (87/90 -> 88), histograms (88/89 -> 89) and historical ticks (96 -> 96,
97 or 98), as ib_async 2.1.0 encodes and decodes them at server version 178.

Historical ticks are historical data requests for IB's pacing (15 s identical, 6 per
contract per 2 s, 60 per 10 minutes; BID_ASK counts twice): they share the connection's
pacing with small-bar requests and a violation is IB's 162. All three are served by IB's
historical data farm: while IB is unreachable (1100) each fails with 162, as bars do.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from adapters.simulated_gateway.model import Bucket, HistoricalDataError, HistTick
from adapters.simulated_gateway.tws import messages_contracts as cm
from adapters.simulated_gateway.tws.handlers.handlers_contracts import (
    HMDS_LOST_TEXT,
    parse_end_time,
)
from adapters.simulated_gateway.tws.pacing import HISTORICAL_PACING_TEXT
from adapters.simulated_gateway.tws.wire import FieldReader, fmt_float, fmt_int

if TYPE_CHECKING:
    from adapters.simulated_gateway.tws.client import Client

Fields = list[str]
HEAD_TIMESTAMP = "88"
HISTOGRAM_DATA = "89"
HISTORICAL_TICKS = {"MIDPOINT": "96", "BID_ASK": "97", "TRADES": "98"}


def head_timestamp(req_id: int, text: str) -> Fields:
    return [HEAD_TIMESTAMP, str(req_id), text]


def histogram_data(req_id: int, buckets: list[Bucket]) -> Fields:
    fields = [HISTOGRAM_DATA, str(req_id), str(len(buckets))]
    for b in buckets:
        fields += [fmt_float(b.price), fmt_int(b.count)]
    return fields


def historical_ticks(req_id: int, what: str, ticks: list[HistTick]) -> Fields:
    """One message with every tick and done=1 (the request's end)."""
    fields = [HISTORICAL_TICKS[what], str(req_id), str(len(ticks))]
    for t in ticks:
        if what == "MIDPOINT":
            fields += [str(t.time), "0", fmt_float(t.price), "0"]
        elif what == "BID_ASK":
            fields += [str(t.time), "0", fmt_float(t.bid), fmt_float(t.ask),
                       fmt_float(t.bid_size), fmt_float(t.ask_size)]  # fmt: skip
        else:
            fields += [str(t.time), "0", fmt_float(t.price), fmt_float(t.size), t.exchange, ""]
    fields.append("1")
    return fields


class HistoryExtraHandlers:
    def __init__(self, session: Client) -> None:
        self.session = session

    def routes(self) -> dict[str, Any]:
        return {
            "87": self.req_head_timestamp,
            "90": self._ignore,  # cancelHeadTimeStamp: answered at once, nothing to stop
            "88": self.req_histogram_data,
            "89": self._ignore,  # cancelHistogramData
            "96": self.req_historical_ticks,
        }

    def _ignore(self, fields: list[str]) -> None:
        pass

    def req_head_timestamp(self, fields: list[str]) -> None:
        # 87|reqId|C12|includeExpired|useRTH|whatToShow|formatDate
        r = FieldReader(fields, 1)
        req_id = r.integer()
        query = r.contract()
        r.skip(1)
        use_rth = r.flag()
        what = r.text()
        format_date = r.integer(1)
        session = self.session
        if _farm_unreachable(session, req_id):
            return
        inst = session.resolve(req_id, query)
        if inst is None:
            return
        try:
            first = session.world.history_extras().head_timestamp(inst, what, use_rth)
        except HistoricalDataError as exc:
            session.error(req_id, exc.code, exc.message)
            return
        text = cm.bar_time_text(
            first, daily=False, format_date=format_date, time_zone=inst.time_zone_id
        )
        session.send(head_timestamp(req_id, text))

    def req_histogram_data(self, fields: list[str]) -> None:
        # 88|reqId|C12|includeExpired|useRTH|timePeriod
        r = FieldReader(fields, 1)
        req_id = r.integer()
        query = r.contract()
        r.skip(1)
        use_rth = r.flag()
        period = r.text()
        session = self.session
        if _farm_unreachable(session, req_id):
            return
        inst = session.resolve(req_id, query)
        if inst is None:
            return
        world = session.world
        try:
            buckets = world.history_extras().histogram(inst, world.now(), period, use_rth)
        except HistoricalDataError as exc:
            session.error(req_id, exc.code, exc.message)
            return
        session.send(histogram_data(req_id, buckets))

    def req_historical_ticks(self, fields: list[str]) -> None:
        # 96|reqId|C12|includeExpired|start|end|numberOfTicks|whatToShow|useRth|ignoreSize|misc
        r = FieldReader(fields, 1)
        req_id = r.integer()
        query = r.contract()
        r.skip(1)
        start_text, end_text = r.text(), r.text()
        count = r.integer(0)
        what = r.text().strip().upper()
        use_rth = r.flag()
        session = self.session
        if _farm_unreachable(session, req_id):
            return
        request = ("ticks", query, start_text, end_text, count, what, use_rth)
        contract_key = (query.con_id, query.symbol, query.exchange, what)
        weight = 2 if what == "BID_ASK" else 1
        if session.contracts.pacing.violates(
            session.server.loop_time(), request, contract_key, weight
        ):
            session.error(req_id, 162, HISTORICAL_PACING_TEXT)
            return
        inst = session.resolve(req_id, query)
        if inst is None:
            return
        world = session.world
        try:
            zone = inst.time_zone_id or "UTC"
            start = _moment(start_text, zone)
            end = _moment(end_text, zone)
            ticks = world.history_extras().ticks(
                inst, start, end, world.now(), count, what, use_rth
            )
        except HistoricalDataError as exc:
            session.error(req_id, exc.code, exc.message)
            return
        session.send(historical_ticks(req_id, what, ticks))


def _farm_unreachable(session: Client, req_id: int) -> bool:
    """While IB is unreachable (1100) the historical data farm is too: IB's 162."""
    if session.server.faults.severed:
        session.error(req_id, 162, HMDS_LOST_TEXT)
        return True
    return False


def _moment(text: str, zone: str) -> datetime | None:
    try:
        return parse_end_time(text, zone)
    except (ValueError, KeyError) as exc:
        raise HistoricalDataError(
            321, f"Error validating request.-'bX' : cause - Invalid date/time {text!r}: {exc}"
        ) from exc

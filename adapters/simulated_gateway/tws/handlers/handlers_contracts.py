"""Contract details, option-chain parameters, historical bars and the market scanner."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from adapters.simulated_gateway.model import HistoricalDataError, ScanRequest
from adapters.simulated_gateway.tws import messages_contracts as cm
from adapters.simulated_gateway.tws.handlers.historical_schedule import (
    WHAT_TO_SHOW as SCHEDULE,
)
from adapters.simulated_gateway.tws.handlers.historical_schedule import answer_schedule
from adapters.simulated_gateway.tws.handlers.live_bars import LiveBars
from adapters.simulated_gateway.tws.pacing import (
    HISTORICAL_PACING_TEXT,
    HistoricalPacing,
    is_small_bar,
)
from adapters.simulated_gateway.tws.wire import FieldReader

if TYPE_CHECKING:
    from adapters.simulated_gateway.tws.client import Client

_DAILY_UNITS = ("day", "days", "week", "weeks", "month", "months")
# IB's scanner errors come from its historical market data service (HMDS), with code 162.
HMDS_ERROR = "Historical Market Data Service error message:"
MAX_SCANNER_SUBSCRIPTIONS = 10
HMDS_LOST_TEXT = (
    f"{HMDS_ERROR}HMDS connection lost: connectivity between IB and Trader Workstation has been "
    "lost."
)


def parse_end_time(text: str, default_zone: str) -> datetime | None:
    """IB's endDateTime: "", "YYYYMMDD", "YYYYMMDD HH:MM:SS [zone]" or "YYYYMMDD-HH:MM:SS" (UTC)."""
    text = text.strip()
    if not text:
        return None
    if "-" in text and " " not in text:
        day, clock = text.split("-", 1)
        return datetime.strptime(day + clock, "%Y%m%d%H:%M:%S").replace(tzinfo=UTC)
    parts = text.split(" ", 2)
    if len(parts) == 1:
        return datetime.strptime(parts[0] + "23:59:59", "%Y%m%d%H:%M:%S").replace(
            tzinfo=ZoneInfo(default_zone)
        )
    zone = ZoneInfo(parts[2]) if len(parts) == 3 else ZoneInfo(default_zone)
    return datetime.strptime(parts[0] + parts[1], "%Y%m%d%H:%M:%S").replace(tzinfo=zone)


class ContractHandlers:
    def __init__(self, session: Client) -> None:
        self.session = session
        self.pacing = HistoricalPacing()
        self.live_bars: dict[int, LiveBars] = {}
        self.scans: set[int] = set()

    def routes(self) -> dict[str, Any]:
        return {
            "9": self.req_contract_details,
            "78": self.req_sec_def_opt_params,
            "20": self.req_historical_data,
            "25": self.cancel_historical_data,
            "22": self.req_scanner_subscription,
            "23": self.cancel_scanner_subscription,
            "24": self.req_scanner_parameters,
        }

    def clear(self) -> None:
        self.live_bars.clear()
        self.scans.clear()

    def req_contract_details(self, fields: list[str]) -> None:
        r = FieldReader(fields, 2)
        req_id = r.integer()
        matches = self.session.world.find(r.contract())
        send = self.session.send
        if not matches:
            self.session.error(req_id, 200, "No security definition has been found for the request")
            return
        for inst in matches:
            send(cm.contract_data(req_id, inst))
        send(cm.contract_data_end(req_id))

    def req_sec_def_opt_params(self, fields: list[str]) -> None:
        r = FieldReader(fields, 1)
        req_id = r.integer()
        symbol = r.text()
        exchange = r.text()
        r.skip(1)  # underlyingSecType
        under_con_id = r.integer()
        for chain in self.session.world.option_params(symbol, under_con_id):
            if not exchange or chain.exchange == exchange:
                self.session.send(cm.secdef_opt_params(req_id, chain))
        self.session.send(cm.secdef_opt_params_end(req_id))

    def req_historical_data(self, fields: list[str]) -> None:
        r = FieldReader(fields, 1)
        req_id = r.integer()
        query = r.contract()
        r.skip(1)  # includeExpired
        end_text = r.text()
        bar_size = r.text()
        duration = r.text()
        use_rth = r.flag()
        what = r.text()
        format_date = r.integer(1)
        if query.sec_type == "BAG":
            r.skip(4 * r.integer())
        keep_up = r.remaining() > 0 and r.flag()
        session = self.session
        if session.server.faults.severed:
            session.error(req_id, 162, HMDS_LOST_TEXT)
            return
        if is_small_bar(bar_size):
            request = (query, end_text, bar_size, duration, use_rth, what)
            contract_key = (query.con_id, query.symbol, query.exchange, what)
            weight = 2 if what == "BID_ASK" else 1
            if self.pacing.violates(session.server.loop_time(), request, contract_key, weight):
                session.error(req_id, 162, HISTORICAL_PACING_TEXT)
                return
        inst = session.resolve(req_id, query)
        if inst is None:
            return
        try:
            end = parse_end_time(end_text, inst.time_zone_id or "UTC")
            if what.strip().upper() == SCHEDULE:  # the sessions, not bars: message 106
                answer_schedule(session, req_id, inst, end, duration, use_rth)
                return
            bars = session.world.historical_bars(
                inst.con_id, end, duration, bar_size, what, use_rth
            )
        except HistoricalDataError as exc:
            session.error(req_id, exc.code, exc.message)
            return
        except ValueError as exc:
            session.error(req_id, 321, f"Error validating request.-'bP' : cause - {exc}")
            return
        if not bars:
            text = (
                "Historical Market Data Service error message:HMDS query returned no data: "
                f"{inst.local_symbol}@{inst.exchange} {what}"
            )
            session.error(req_id, 162, text)
            return
        daily = bar_size.split()[-1].lower() in _DAILY_UNITS
        zone = inst.time_zone_id
        final = end or session.world.now()
        start_text = cm.bar_time_text(bars[0].time, daily=False, format_date=1, time_zone=zone)
        end_text = cm.bar_time_text(final, daily=False, format_date=1, time_zone=zone)
        session.send(
            cm.historical_data(
                req_id,
                start_text,
                end_text,
                bars,
                daily=daily,
                format_date=format_date,
                time_zone=zone,
            )
        )
        if keep_up:
            self.live_bars[req_id] = LiveBars.start(inst, bars[-1], bar_size, daily, format_date)

    def cancel_historical_data(self, fields: list[str]) -> None:
        self.live_bars.pop(FieldReader(fields, 2).integer(), None)

    def on_step(self) -> None:
        if not self.live_bars or not self.session.server.faults.market_data_flowing:
            return
        now = self.session.world.now()
        for req_id, live in self.live_bars.items():
            price = self.session.server.quote(live.instrument.con_id).last
            update = live.step(req_id, now, price)
            if update is not None:
                self.session.send(update)

    def req_scanner_subscription(self, fields: list[str]) -> None:
        r = FieldReader(fields, 1)
        req_id = r.integer()
        rows = r.integer(-1)
        request = ScanRequest(
            scan_code="",
            instrument=r.text(),
            location_code=r.text(),
            rows=50 if rows <= 0 else min(rows, 50),
        )
        request.scan_code = r.text()
        request.above_price = r.number()
        request.below_price = r.number()
        above_volume = r.number()
        request.above_volume = int(above_volume) if above_volume is not None else None
        request.market_cap_above = r.number()
        request.market_cap_below = r.number()
        r.skip(12)  # ratings, maturities, coupons, convertible, option volume, pairs, stock type
        request.filter_options = r.tag_values() if r.remaining() > 0 else {}
        if len(self.scans) >= MAX_SCANNER_SUBSCRIPTIONS:
            # IB cancels a subscription beyond its limit instead of answering it
            self.session.error(
                req_id, 162, f"{HMDS_ERROR}API scanner subscription cancelled: {req_id}"
            )
            return
        try:
            rows_found = self.session.world.scan(request)
        except (KeyError, ValueError) as exc:
            self.session.error(req_id, 162, f"{HMDS_ERROR}{exc}")
            return
        self.scans.add(req_id)
        self.session.send(cm.scanner_data(req_id, rows_found[: request.rows]))

    def cancel_scanner_subscription(self, fields: list[str]) -> None:
        req_id = FieldReader(fields, 2).integer()
        if req_id in self.scans:
            self.scans.discard(req_id)
            # IB acknowledges every cancelled scanner subscription with a 162
            self.session.error(
                req_id, 162, f"{HMDS_ERROR}API scanner subscription cancelled: {req_id}"
            )

    def req_scanner_parameters(self, fields: list[str]) -> None:
        self.session.send(cm.scanner_parameters(self.session.world.scanner_parameters_xml()))

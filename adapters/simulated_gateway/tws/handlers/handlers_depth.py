"""Market depth (L2): reqMktDepth, cancelMktDepth and the list of depth exchanges.

A depth request gets the whole book as inserts, then on every step the operations that move
it (see ``depth_book``). Smart depth is answered with MARKET_DEPTH_L2 naming each level's
exchange; an exchange-specific book with MARKET_DEPTH. IB lets a user (all of its API clients
together) watch at most 3 distinct securities' depth; more requests for one of those 3 are fine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from adapters.simulated_gateway.markets.depth_book import MAX_ROWS, Book, book, changes
from adapters.simulated_gateway.model import Instrument
from adapters.simulated_gateway.tws import messages_market as mm
from adapters.simulated_gateway.tws.wire import FieldReader

if TYPE_CHECKING:
    from adapters.simulated_gateway.tws.client import Client

MAX_DEPTH_SECURITIES = 3
DEPTH_LIMIT_TEXT = "Max number (3) of market depth requests has been reached"
NO_DEPTH_TEXT = "Deep market data is not supported for this combination of security type/exchange"
# (exchange, secType, listingExch, serviceDataType, aggGroup) as MKT_DEPTH_EXCHANGES lists them
DEPTH_EXCHANGES = [
    ("ISLAND", "STK", "NASDAQ", "Deep2", 7),
    ("ARCA", "STK", "NYSE", "Deep2", 7),
    ("NYSE", "STK", "NYSE", "Deep", 7),
    ("BATS", "STK", "BATS", "Deep", 7),
    ("IEX", "STK", "IEX", "Deep", 7),
    ("CME", "FUT", "", "Deep", 2),
    ("IDEALPRO", "CASH", "", "Deep", 4),
    ("IBIS", "STK", "", "Deep", 1),
]


@dataclass(slots=True)
class DepthStream:
    instrument: Instrument
    rows: int
    smart: bool
    book: Book = field(default_factory=lambda: ([], []))


class DepthHandlers:
    def __init__(self, session: Client) -> None:
        self.session = session
        self.streams: dict[int, DepthStream] = {}

    def routes(self) -> dict[str, Any]:
        return {"10": self.req_mkt_depth, "11": self.cancel_mkt_depth,
                "82": self.req_mkt_depth_exchanges}  # fmt: skip

    def clear(self) -> None:
        self.streams.clear()

    def con_ids(self) -> set[int]:
        return {s.instrument.con_id for s in self.streams.values()}

    def req_mkt_depth(self, fields: list[str]) -> None:
        # 10|5|reqId|C12|numRows|isSmartDepth|mktDepthOptions: every client at version
        # 157 or later sends the smart-depth flag (146+) and the primary exchange (149+)
        r = FieldReader(fields, 2)
        req_id = r.integer()
        query = r.contract()
        rows = r.integer(5)
        smart = r.remaining() > 0 and r.flag()
        session = self.session
        inst = session.resolve(req_id, query)
        if inst is None:
            return
        if inst.sec_type == "IND":
            session.error(req_id, 10092, NO_DEPTH_TEXT)
            return
        watched: set[int] = set()
        for other in session.server.sessions():
            watched |= other.depth.con_ids()
        if inst.con_id not in watched and len(watched) >= MAX_DEPTH_SECURITIES:
            session.error(req_id, 309, DEPTH_LIMIT_TEXT)
            return
        stream = DepthStream(inst, max(1, min(rows, MAX_ROWS)), smart)
        self.streams[req_id] = stream
        if session.server.faults.market_data_flowing:
            self._send_changes(req_id, stream)

    def cancel_mkt_depth(self, fields: list[str]) -> None:
        self.streams.pop(FieldReader(fields, 2).integer(), None)

    def req_mkt_depth_exchanges(self, fields: list[str]) -> None:
        self.session.send(mm.mkt_depth_exchanges(DEPTH_EXCHANGES))

    def on_step(self) -> None:
        if not self.streams or not self.session.server.faults.market_data_flowing:
            return
        for req_id, stream in self.streams.items():
            self._send_changes(req_id, stream)

    def _send_changes(self, req_id: int, stream: DepthStream) -> None:
        server = self.session.server
        inst = stream.instrument
        try:
            quote = server.quote(inst.con_id)
        except KeyError:
            return
        new = book(quote, tick=inst.min_tick, sec_type=inst.sec_type, rows=stream.rows,
                   seed=server.seed, con_id=inst.con_id,
                   now=self.session.world.now().timestamp(), smart=stream.smart)  # fmt: skip
        send = self.session.send
        for position, operation, side, (price, size, maker) in changes(stream.book, new):
            if stream.smart:
                send(mm.market_depth_l2(req_id, position, maker, operation, side, price, size,
                                        True))  # fmt: skip
            else:
                send(mm.market_depth(req_id, position, operation, side, price, size))
        stream.book = new

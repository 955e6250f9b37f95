"""Tick-by-tick data: reqTickByTickData (97) and cancelTickByTickData (98).

A subscription gets the current value at once, then a TICK_BY_TICK message (99) on every step
where its value changes: a print (new last price or size) for Last/AllLast, a new quote for
BidAsk (price changes only when ignoreSize), a new midpoint for MidPoint. IB lets a user hold
only a few tick-by-tick subscriptions at once (the market depth rule: 3 with the basic
allowance) and answers the next with 10190. Historical ticks asked with numberOfTicks are not
replayed: the stream starts at the current value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from adapters.simulated_gateway.markets.market import quote_step
from adapters.simulated_gateway.markets.price_path import key_of, mix64
from adapters.simulated_gateway.model import Instrument, Quote
from adapters.simulated_gateway.tws import messages_market as mm
from adapters.simulated_gateway.tws.wire import FieldReader

if TYPE_CHECKING:
    from adapters.simulated_gateway.tws.client import Client

MAX_TICK_BY_TICK = 3
LIMIT_TEXT = "Max number of tick-by-tick requests has been reached."
FAILED_TEXT = "Failed to request tick-by-tick data."
_STOCK_VENUES = ("NASDAQ", "ARCA", "NYSE", "BATS", "IEX", "EDGX", "DRCTEDGE")
_VENUE = 8  # hash stream tag for the venue of a print


def _finite(x: float) -> bool:
    return not (math.isnan(x) or math.isinf(x))


def _same(a: float, b: float) -> bool:
    return a == b or (a != a and b != b)


@dataclass(slots=True)
class TickStream:
    instrument: Instrument
    tick_type: int
    ignore_size: bool
    last: Quote | None = None


class TickByTickHandlers:
    def __init__(self, session: Client) -> None:
        self.session = session
        self.streams: dict[int, TickStream] = {}

    def routes(self) -> dict[str, Any]:
        return {"97": self.req_tick_by_tick_data, "98": self.cancel_tick_by_tick_data}

    def clear(self) -> None:
        self.streams.clear()

    def req_tick_by_tick_data(self, fields: list[str]) -> None:
        # 97|reqId|C12|tickType|numberOfTicks|ignoreSize (no version field)
        r = FieldReader(fields, 1)
        req_id = r.integer()
        query = r.contract()
        type_name = r.text()
        r.skip(1)  # numberOfTicks: no historical ticks are replayed
        ignore_size = r.remaining() > 0 and r.flag()
        session = self.session
        inst = session.resolve(req_id, query)
        if inst is None:
            return
        tick_type = mm.TBT_TYPES.get(type_name)
        if tick_type is None:
            text = f"Error validating request.-'cY' : cause - Invalid tick type: {type_name}"
            session.error(req_id, 321, text)
            return
        held = sum(len(other.tick_by_tick.streams) for other in session.server.sessions())
        if req_id not in self.streams and held >= MAX_TICK_BY_TICK:
            session.error(req_id, 10190, LIMIT_TEXT)
            return
        try:
            quote = session.server.quote(inst.con_id)
        except KeyError:
            quote = None
        trades = tick_type in (mm.TBT_LAST, mm.TBT_ALL_LAST)
        if quote is None or not _finite(quote.last if trades else quote.bid):
            kind = "trades" if trades else "quotes"
            session.error(
                req_id, 10189, f"{FAILED_TEXT} No {kind} for {inst.sec_type} {inst.symbol}"
            )
            return
        stream = TickStream(inst, tick_type, ignore_size)
        self.streams[req_id] = stream
        if session.server.faults.market_data_flowing:
            self._send(req_id, stream)

    def cancel_tick_by_tick_data(self, fields: list[str]) -> None:
        self.streams.pop(FieldReader(fields, 1).integer(), None)

    def on_step(self) -> None:
        if not self.streams or not self.session.server.faults.market_data_flowing:
            return
        for req_id, stream in self.streams.items():
            self._send(req_id, stream)

    def _send(self, req_id: int, stream: TickStream) -> None:
        session = self.session
        try:
            quote = session.server.quote(stream.instrument.con_id)
        except KeyError:
            return
        before = stream.last
        stream.last = quote
        now = session.world.now()
        time = int(now.timestamp())
        if stream.tick_type in (mm.TBT_LAST, mm.TBT_ALL_LAST):
            if not _finite(quote.last) or (
                before is not None
                and _same(quote.last, before.last)
                and _same(quote.last_size, before.last_size)
            ):
                return
            size = quote.last_size if _finite(quote.last_size) else 0.0
            venue = self._venue(stream.instrument, quote_step(now))
            session.send(mm.tick_by_tick_last(req_id, stream.tick_type, time, quote.last, size,
                                              venue))  # fmt: skip
        elif stream.tick_type == mm.TBT_BID_ASK:
            if (
                before is not None
                and quote.bid == before.bid
                and quote.ask == before.ask
                and (
                    stream.ignore_size
                    or (quote.bid_size == before.bid_size and quote.ask_size == before.ask_size)
                )
            ):
                return
            mask = (1 if quote.bid < quote.low else 0) | (2 if quote.ask > quote.high else 0)
            session.send(mm.tick_by_tick_bid_ask(req_id, time, quote.bid, quote.ask,
                                                 quote.bid_size, quote.ask_size, mask))  # fmt: skip
        else:
            mid = round((quote.bid + quote.ask) / 2, 8)
            if before is not None and mid == round((before.bid + before.ask) / 2, 8):
                return
            session.send(mm.tick_by_tick_mid_point(req_id, time, mid))

    def _venue(self, inst: Instrument, step: int) -> str:
        if inst.sec_type != "STK" or inst.currency != "USD":
            return inst.primary_exchange or inst.exchange
        h = mix64(key_of(self.session.server.seed, inst.con_id, _VENUE, step))
        return _STOCK_VENUES[h % len(_STOCK_VENUES)]

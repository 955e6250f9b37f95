"""Market data requests: snapshots, streaming subscriptions and the market data type."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from adapters.simulated_gateway.model import Instrument, Quote
from adapters.simulated_gateway.tws import messages as msg
from adapters.simulated_gateway.tws import messages_market as mm
from adapters.simulated_gateway.tws.handlers.generic_ticks import send_generic_ticks
from adapters.simulated_gateway.tws.handlers.option_ticks import send_price_computations
from adapters.simulated_gateway.tws.wire import FieldReader, fmt_float

if TYPE_CHECKING:
    from adapters.simulated_gateway.tws.client import Client

# (Quote attribute, tick type, size attribute or None) for price ticks, in IB's usual order.
_PRICE_TICKS = (
    ("bid", msg.BID, "bid_size"),
    ("ask", msg.ASK, "ask_size"),
    ("last", msg.LAST, "last_size"),
    ("high", msg.HIGH, None),
    ("low", msg.LOW, None),
    ("close", msg.CLOSE, None),
    ("open", msg.OPEN, None),
)
_GREEKS = ("implied_vol", "delta", "gamma", "vega", "theta", "und_price")
LINE_LIMIT_TEXT = "Max number of tickers has been reached."
SMART_BBO_EXCHANGE = "9c0001"  # the code IB's tickReqParams gives SMART-routed US stocks
SNAPSHOT_PERMISSIONS = 3
RT_VOLUME_GENERIC = "233"


def _finite(value: float) -> bool:
    return value == value and not math.isinf(value)


def _same(a: float, b: float) -> bool:
    return a == b or (a != a and b != b)  # NaN is "the same" as NaN: no value either time


@dataclass(slots=True)
class Stream:
    instrument: Instrument
    generic_ticks: frozenset[str]
    last: Quote | None = None


class MarketDataHandlers:
    def __init__(self, session: Client) -> None:
        self.session = session
        self.streams: dict[int, Stream] = {}
        self.requested_type = 1
        # requests served delayed data for a missing subscription (10167; subscription_faults)
        self.delayed: set[int] = set()

    def routes(self) -> dict[str, Any]:
        return {"1": self.req_mkt_data, "2": self.cancel_mkt_data, "59": self.req_market_data_type}

    def clear(self) -> None:
        self.streams.clear()
        self.delayed.clear()

    def lines_held(self) -> int:
        """Market data lines this connection holds: streaming reqMktData subscriptions and,
        as IB counts them, real-time bar subscriptions."""
        return len(self.streams) + len(self.session.bars.streams)

    def line_available(self, req_id: int) -> bool:
        """Whether a new request may take a line; if not, IB's 101 answers it."""
        if self.lines_held() < self.session.server.max_market_data_lines:
            return True
        self.session.error(req_id, 101, LINE_LIMIT_TEXT)
        return False

    def req_mkt_data(self, fields: list[str]) -> None:
        r = FieldReader(fields, 2)
        req_id = r.integer()
        delayed = req_id in self.delayed  # set just now by the screen, for this request only
        self.delayed.discard(req_id)
        query = r.contract()
        if query.sec_type == "BAG":
            r.skip(4 * r.integer())
        if r.flag():  # delta-neutral contract
            r.skip(3)
        generic = frozenset(t for t in r.text().split(",") if t)
        snapshot = r.flag()
        regulatory = r.flag()
        session = self.session
        inst = session.resolve(req_id, query)
        if inst is None:
            return
        # a snapshot holds a line until its end (57); a stream until it is cancelled
        if req_id not in self.streams and not self.line_available(req_id):
            return
        bbo = SMART_BBO_EXCHANGE if inst.exchange == "SMART" else inst.exchange
        session.send(mm.tick_req_params(req_id, inst.min_tick, bbo, SNAPSHOT_PERMISSIONS))
        if delayed:
            session.send(msg.market_data_type(req_id, 3))
        elif self.requested_type != 1:
            # The simulated account has live data, so IB reports "real time" after a switch.
            session.send(msg.market_data_type(req_id, 1))
        flowing = session.server.faults.market_data_flowing
        if snapshot or regulatory:
            if flowing:
                self._send_quote(req_id, inst, generic, None)
                send_generic_ticks(session, req_id, inst, generic)
            session.send(msg.tick_snapshot_end(req_id))
            return
        stream = Stream(inst, generic)
        self.streams[req_id] = stream
        if flowing:
            stream.last = self._send_quote(req_id, inst, generic, None)
            send_generic_ticks(session, req_id, inst, generic)

    def cancel_mkt_data(self, fields: list[str]) -> None:
        self.streams.pop(FieldReader(fields, 2).integer(), None)

    def req_market_data_type(self, fields: list[str]) -> None:
        self.requested_type = FieldReader(fields, 2).integer(1)

    def on_step(self) -> None:
        if not self.streams or not self.session.server.faults.market_data_flowing:
            return
        for req_id, stream in self.streams.items():
            stream.last = self._send_quote(
                req_id, stream.instrument, stream.generic_ticks, stream.last
            )

    def _send_quote(
        self, req_id: int, inst: Instrument, generic: frozenset[str], previous: Quote | None
    ) -> Quote | None:
        """Send the ticks of the current quote that differ from ``previous``; return the quote."""
        try:
            quote = self.session.server.quote(inst.con_id)
        except KeyError:
            return previous
        send = self.session.send
        for name, tick_type, size_name in _PRICE_TICKS:
            price = getattr(quote, name)
            size = getattr(quote, size_name) if size_name else 0.0
            if not _finite(price):
                continue
            if previous is not None and price == getattr(previous, name):
                if size_name is None or size == getattr(previous, size_name):
                    continue
                if tick_type == msg.LAST:
                    send(msg.tick_size(req_id, msg.LAST_SIZE, size))
                    continue
            if tick_type in (msg.BID, msg.ASK) and not (size > 0):
                continue  # ib_async reads a zero-size bid/ask as "no quote"
            send(msg.tick_price(req_id, tick_type, price, size if _finite(size) else 0.0))
        if _finite(quote.volume) and (previous is None or quote.volume != previous.volume):
            send(msg.tick_size(req_id, msg.VOLUME, quote.volume))
        traded = _finite(quote.last) and (
            previous is None
            or not (_same(quote.last, previous.last) and _same(quote.last_size, previous.last_size))
        )
        if traded:
            self._send_trade_time(req_id, quote, generic)
        is_option = inst.sec_type in ("OPT", "FOP") and _finite(quote.implied_vol)
        if is_option and (
            previous is None
            or any(getattr(quote, g) != getattr(previous, g) for g in (*_GREEKS, "bid", "ask"))
        ):
            self._send_greeks(req_id, quote, generic)
            send_price_computations(self.session, req_id, inst, quote)
        return quote

    def _send_trade_time(self, req_id: int, quote: Quote, generic: frozenset[str]) -> None:
        """LAST_TIMESTAMP for every print, and RTVolume when generic tick 233 was asked."""
        now = self.session.world.now().timestamp()
        self.session.send(msg.tick_string(req_id, msg.LAST_TIMESTAMP, str(int(now))))
        if RT_VOLUME_GENERIC in generic and _finite(quote.last_size):
            volume = quote.volume if _finite(quote.volume) else 0.0
            vwap = round((quote.high + quote.low + 2 * quote.last) / 4, 4)
            value = (
                f"{fmt_float(quote.last)};{fmt_float(quote.last_size)};{int(now * 1000)};"
                f"{fmt_float(volume)};{fmt_float(vwap)};true"
            )
            self.session.send(msg.tick_string(req_id, mm.RT_VOLUME, value))

    def _send_greeks(self, req_id: int, quote: Quote, generic: frozenset[str]) -> None:
        if _finite(quote.bid) and _finite(quote.ask):
            model_price = (quote.bid + quote.ask) / 2
        else:
            model_price = quote.last
        self.session.send(
            msg.tick_option_computation(
                req_id,
                msg.MODEL_OPTION,
                implied_vol=quote.implied_vol,
                delta=quote.delta,
                opt_price=model_price,
                pv_dividend=0.0,
                gamma=quote.gamma,
                vega=quote.vega,
                theta=quote.theta,
                und_price=quote.und_price,
            )
        )
        if "106" in generic:
            self.session.send(msg.tick_generic(req_id, msg.OPTION_IMPLIED_VOL, quote.implied_vol))

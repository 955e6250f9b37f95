"""Historical ticks (reqHistoricalTicks), read off the same walks as live quotes and bars.

At most one tick per second: the quote of that second is the live quote the market gave then
(bid, ask and sizes), a trade prints at it on a hashed share of the seconds, clamped into its
one-minute bar's range so that ticks and bars agree. As IB does, one request never spans two
trading sessions: from ``start`` it reads forward through the first session that ends after
it, to ``end`` backward through the last session that opened before it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

from adapters.simulated_gateway.model import Bar, HistoricalDataError, HistTick, Instrument, Quote

from .bar_series import series_for
from .instruments import Catalogue
from .market import Market
from .options import OptionPricer
from .price_path import key_of, uniform
from .sessions import schedule_of, session_day
from .trading_calendar import SessionHours, is_trading_day

MAX_TICKS = 1000
WHAT = ("TRADES", "BID_ASK", "MIDPOINT")
_TRADE = 11  # hash stream tag: is there a print in this second
_VENUE = 8  # hash stream tag for the venue of a print (as tick-by-tick)
_STOCK_VENUES = ("NASDAQ", "ARCA", "NYSE", "BATS", "IEX", "EDGX", "DRCTEDGE")
_PRINT_SHARE = {"STK": 0.45, "FUT": 0.6, "OPT": 0.04, "IND": 1.0}
_SEARCH_DAYS = 12  # sessions looked for across weekends and holidays


def _no_data(inst: Instrument, what: str) -> HistoricalDataError:
    return HistoricalDataError(
        162,
        "Historical Market Data Service error message:No historical market data for "
        f"{inst.symbol}/{inst.sec_type}@{inst.exchange} {what.title()}",
    )


class TickSource:
    def __init__(
        self,
        market: Market,
        options: OptionPricer,
        catalogue: Catalogue,
        quote_at: Callable[[Instrument, datetime], Quote],
    ) -> None:
        self._market, self._options, self._catalogue = market, options, catalogue
        self._quote_at = quote_at

    def ticks(
        self,
        inst: Instrument,
        start: datetime | None,
        end: datetime | None,
        now: datetime,
        count: int,
        what: str,
        use_rth: bool,
    ) -> list[HistTick]:
        """Up to ``count`` ticks oldest first; raises HistoricalDataError as IB would."""
        what = what.strip().upper()
        if what not in WHAT:
            raise HistoricalDataError(
                321, f"Error validating request.-'bX' : cause - Invalid whatToShow: {what}"
            )
        if (start is None) == (end is None):
            raise HistoricalDataError(
                321,
                "Error validating request.-'bX' : cause - Exactly one of start or end "
                "date/time must be given",
            )
        if what == "TRADES":  # IB has no trades of currencies: its 162
            series_for(inst, what, self._market, self._options, self._catalogue)
        elif inst.sec_type == "IND":  # an index is computed, never quoted
            raise _no_data(inst, what)
        count = max(1, min(count, MAX_TICKS))
        hours = schedule_of(inst).liquid if use_rth else schedule_of(inst).trading
        seconds = self._seconds(hours, start, end, now)
        out: list[HistTick] = []
        previous: HistTick | None = None
        for s in seconds:
            tick = self._tick(inst, what, s)
            if tick is None or (previous is not None and _same(tick, previous)):
                continue
            previous = tick
            out.append(tick)
            if len(out) >= count:
                break
        if what == "TRADES":
            out = self._clamped(inst, out)
        return out if start is not None else out[::-1]

    @staticmethod
    def _seconds(
        hours: SessionHours, start: datetime | None, end: datetime | None, now: datetime
    ) -> Iterator[int]:
        limit = int(now.timestamp())
        if start is not None:
            d = session_day(hours, start)
            for _ in range(_SEARCH_DAYS):
                if is_trading_day(d):
                    ws, we = hours.window(d)
                    if we > start:
                        a = max(int(ws.timestamp()), math.ceil(start.timestamp()))
                        b = min(int(we.timestamp()), limit)
                        return iter(range(a, b))
                d += timedelta(days=1)
            return iter(())
        assert end is not None
        end = min(end, now)
        d = session_day(hours, end)
        ws, we = hours.window(d)
        b = min(int(we.timestamp()), int(end.timestamp()))
        return iter(range(b - 1, int(ws.timestamp()) - 1, -1))

    def _tick(self, inst: Instrument, what: str, s: int) -> HistTick | None:
        seed = self._market.seed
        if what == "TRADES":
            share = _PRINT_SHARE.get(inst.sec_type, 0.3)
            if share < 1.0 and uniform(key_of(seed, inst.con_id, _TRADE, s)) > share:
                return None
        q = self._quote_at(inst, datetime.fromtimestamp(s, UTC))
        if what == "TRADES":
            if q.last != q.last:
                return None
            size = q.last_size if q.last_size == q.last_size else 0.0
            return HistTick(time=s, price=q.last, size=size, exchange=self._venue(inst, s))
        if q.bid != q.bid or q.ask != q.ask:
            return None
        if what == "MIDPOINT":
            return HistTick(time=s, price=round((q.bid + q.ask) / 2, 8))
        return HistTick(time=s, bid=q.bid, ask=q.ask, bid_size=q.bid_size, ask_size=q.ask_size)

    def _venue(self, inst: Instrument, s: int) -> str:
        if inst.sec_type != "STK":
            return inst.primary_exchange or inst.exchange
        h = key_of(self._market.seed, inst.con_id, _VENUE, s)
        return _STOCK_VENUES[h % len(_STOCK_VENUES)]

    def _clamped(self, inst: Instrument, ticks: list[HistTick]) -> list[HistTick]:
        """Each print moved into the range of its one-minute bar."""
        if not ticks:
            return ticks
        series = series_for(inst, "TRADES", self._market, self._options, self._catalogue)
        tz = schedule_of(inst).trading.tz
        minutes = sorted({t.time - t.time % 60 for t in ticks})
        spans = [
            (session_day(schedule_of(inst).trading, datetime.fromtimestamp(m, UTC)), m, m + 60)
            for m in minutes
        ]
        bars: dict[int, Bar] = {
            m: bar for m, bar in zip(minutes, series.bars(spans, tz, daily=False), strict=True)
        }
        out = []
        for t in ticks:
            bar = bars[t.time - t.time % 60]
            price = min(max(t.price, bar.low), bar.high)
            out.append(HistTick(time=t.time, price=price, size=t.size, exchange=t.exchange))
        return out


def _same(a: HistTick, b: HistTick) -> bool:
    """A quote tick that repeats the previous one is no new tick (prints always are)."""
    if a.exchange:
        return False
    if a.bid != a.bid:  # a midpoint
        return a.price == b.price
    return (a.bid, a.ask, a.bid_size, a.ask_size) == (b.bid, b.ask, b.bid_size, b.ask_size)

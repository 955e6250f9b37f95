"""Real-time bars, market depth and tick-by-tick lines, each with ib_async state of its own.

Nothing grows per update: the bar list ib_async appends to is emptied as each bar is pushed;
ib_async empties ``ticker.domTicks`` and ``ticker.tickByTicks`` at the start of each batch of
IB messages, and these handlers also take what they read, so nothing is delivered twice.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ib_async import IB, RealTimeBarList, Ticker

from adapters.ib import mapping, stream_mapping
from adapters.ib.feed_lines import Line, Verdict
from application.ports import StreamSink
from domain.contract import Contract
from domain.streams import DepthBook, RealTimeBar, TickPrint

DEPTH_RESET = 317  # IB: "Market depth data has been RESET. Please empty deep book contents"


class BarLine(Line[RealTimeBar]):
    """5-second bars (``reqRealTimeBars``, all hours)."""

    def __init__(self, sink: StreamSink[RealTimeBar], contract: Contract, what_to_show: str):
        super().__init__(sink)
        self.what = f"real-time bars for {contract.symbol}"
        self._contract_id = contract.con_id
        self._ib_contract = mapping.to_ib_contract(contract)
        self._what_to_show = what_to_show
        self._bars: RealTimeBarList | None = None

    def subscribe(self, ib: IB, req_id: int) -> None:
        bars = RealTimeBarList()  # type: ignore[no-untyped-call]
        # what ib_async needs to ask again by itself after IB's 10225 (bust event)
        bars.reqId, bars.contract, bars.barSize = req_id, self._ib_contract, 5
        bars.whatToShow, bars.useRTH, bars.realTimeBarsOptions = self._what_to_show, False, []
        ib.wrapper.startSubscription(req_id, bars, self._ib_contract)  # type: ignore[no-untyped-call]
        bars.updateEvent += self._on_bar
        self._bars = bars
        ib.client.reqRealTimeBars(req_id, self._ib_contract, 5, self._what_to_show, False, [])  # type: ignore[no-untyped-call]

    def unsubscribe(self, ib: IB, req_id: int, *, at_ib: bool) -> None:
        bars, self._bars = self._bars, None
        if bars is not None:
            bars.updateEvent -= self._on_bar
            ib.wrapper.endSubscription(bars)  # type: ignore[no-untyped-call]
        if at_ib:
            ib.client.cancelRealTimeBars(req_id)  # type: ignore[no-untyped-call]

    def _on_bar(self, bars: RealTimeBarList, _has_new_bar: bool) -> None:
        if not bars:
            return
        bar = bars[-1]
        bars.clear()
        self.deliver(stream_mapping.real_time_bar(bar, self._contract_id))


class DepthLine(Line[DepthBook]):
    """The order book (``reqMktDepth``); SMART routing asks for IB's aggregated book."""

    def __init__(self, sink: StreamSink[DepthBook], contract: Contract, rows: int):
        super().__init__(sink)
        self.what = f"market depth for {contract.symbol}"
        self._contract_id = contract.con_id
        self._ib_contract = mapping.to_ib_contract(contract)
        self._smart = contract.exchange == "SMART"
        self._book = stream_mapping.DepthState(rows)
        self._ticker: Ticker | None = None

    def subscribe(self, ib: IB, req_id: int) -> None:
        ticker = Ticker(contract=self._ib_contract, defaults=ib.wrapper.defaults)
        ib.wrapper.reqId2Ticker[req_id] = ticker
        ib.wrapper._reqId2Contract[req_id] = self._ib_contract
        ticker.updateEvent += self._on_update
        self._ticker = ticker
        self._book.clear()  # a new request sends the whole book again
        rows = self._book.rows
        ib.client.reqMktDepth(req_id, self._ib_contract, rows, self._smart, [])  # type: ignore[no-untyped-call]

    def unsubscribe(self, ib: IB, req_id: int, *, at_ib: bool) -> None:
        ticker, self._ticker = self._ticker, None
        if ticker is not None:
            ticker.updateEvent -= self._on_update
        if at_ib:
            ib.client.cancelMktDepth(req_id, self._smart)  # type: ignore[no-untyped-call]

    def _on_update(self, ticker: Ticker) -> None:
        ticks, ticker.domTicks = ticker.domTicks, []
        for tick in ticks:
            self._book.apply(tick)
        stamp = ticker.time or datetime.now(UTC)
        self.deliver(self._book.book(self._contract_id, stamp))

    def verdict(self, code: int, text: str) -> Verdict:
        if code == DEPTH_RESET:
            self._book.clear()  # ib_async then reports the reset as an update: an empty book
            return None
        return super().verdict(code, text)


class TickLine(Line[TickPrint]):
    """Tick-by-tick events of one kind (``reqTickByTickData``): a push per event."""

    def __init__(self, sink: StreamSink[TickPrint], contract: Contract, kind: str):
        super().__init__(sink)
        self.what = f"tick-by-tick {kind} data for {contract.symbol}"
        self._contract_id = contract.con_id
        self._ib_contract = mapping.to_ib_contract(contract)
        self._kind = kind
        self._ticker: Ticker | None = None

    def subscribe(self, ib: IB, req_id: int) -> None:
        ticker = Ticker(contract=self._ib_contract, defaults=ib.wrapper.defaults)
        ib.wrapper.reqId2Ticker[req_id] = ticker
        ib.wrapper._reqId2Contract[req_id] = self._ib_contract
        ticker.updateEvent += self._on_update
        self._ticker = ticker
        ib.client.reqTickByTickData(req_id, self._ib_contract, self._kind, 0, False)  # type: ignore[no-untyped-call]

    def unsubscribe(self, ib: IB, req_id: int, *, at_ib: bool) -> None:
        ticker, self._ticker = self._ticker, None
        if ticker is not None:
            ticker.updateEvent -= self._on_update
        if at_ib:
            ib.client.cancelTickByTickData(req_id)  # type: ignore[no-untyped-call]

    def _on_update(self, ticker: Ticker) -> None:
        ticks, ticker.tickByTicks = ticker.tickByTicks, []
        for tick in ticks:
            self.deliver(stream_mapping.tick_print(tick, self._kind, self._contract_id))

"""A streaming quote line: ``reqMktData`` with a Ticker of its own, the full quote per update.

This is the hot path (thousands of updates a second across lines): one handler on the line's
own ``ticker.updateEvent``, which ib_async fires once per ticker per batch of IB messages
(no lookup among all tickers), and one mapping per push. ib_async empties ``ticker.ticks``
at the start of every batch for the tickers it updates, so nothing grows per tick.

A quote's ``timestamp`` is when IB's latest message for it arrived (``ticker.time``), its
``market_data_type`` what IB reported (tick 58) or else what the session asked for. When IB
says the account has no live subscription the session switches to delayed data, as snapshots
do: 354 (the request ended) asks again with delayed data, 10167 (IB already sends delayed
data instead) only switches the session.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ib_async import IB, Ticker

from adapters.ib import errors, mapping
from adapters.ib.feed_lines import Line, Verdict
from adapters.ib.market_data import IbMarketData
from application.ports import StreamSink
from domain.contract import Contract
from domain.market_data import Quote

# Options: open interest (101) and implied volatility (106); the greeks come with IB's model
# computation. Generic ticks are for streaming requests only (IB refuses them in snapshots).
OPTION_LINE_TICKS = "101,106"


class QuoteLine(Line[Quote]):
    def __init__(self, sink: StreamSink[Quote], contract: Contract, market_data: IbMarketData):
        super().__init__(sink)
        self.contract = contract
        self.what = f"streaming quotes for {contract.symbol}"
        self._ib_contract = mapping.to_ib_contract(contract)
        self._generic = OPTION_LINE_TICKS if contract.sec_type in ("OPT", "FOP") else ""
        self._market_data = market_data
        self._delayed = False  # IB said (10167) it sends delayed data for this request
        self.ticker: Ticker | None = None

    def subscribe(self, ib: IB, req_id: int) -> None:
        # A fresh Ticker per request: after a re-subscription nothing the old request received
        # is pushed as new, and ib_async's per-contract slot (wrapper.tickers) stays untouched.
        ticker = Ticker(contract=self._ib_contract, defaults=ib.wrapper.defaults)
        ticker.marketDataType = 0  # until IB reports it
        ib.wrapper.reqId2Ticker[req_id] = ticker
        ib.wrapper._reqId2Contract[req_id] = self._ib_contract  # named in ib_async's error logs
        ticker.updateEvent += self._on_update
        self.ticker = ticker
        self._delayed = False
        ib.client.reqMktData(req_id, self._ib_contract, self._generic, False, False, [])  # type: ignore[no-untyped-call]

    def unsubscribe(self, ib: IB, req_id: int, *, at_ib: bool) -> None:
        if self.ticker is not None:
            self.ticker.updateEvent -= self._on_update
            self.ticker = None
        if at_ib:
            ib.client.cancelMktData(req_id)  # type: ignore[no-untyped-call]

    def _on_update(self, ticker: Ticker) -> None:
        md_type = ticker.marketDataType or self._market_data.market_data_type
        fallback = self._market_data.fallback
        if self._delayed and md_type == 1 and fallback:
            md_type = fallback  # 10167: "displaying delayed market data"
        self.deliver(
            mapping.quote(
                ticker,
                symbol=self.contract.symbol,
                now=ticker.time or datetime.now(UTC),
                market_data_type=md_type,
            )
        )

    def verdict(self, code: int, text: str) -> Verdict:
        if code not in errors.NOT_SUBSCRIBED:
            return super().verdict(code, text)
        market_data = self._market_data
        fallback = market_data.fallback
        if code == 10167:  # delayed data flows for this request already
            self._delayed = True
            if fallback and market_data.market_data_type != fallback:
                market_data.switch_type(fallback)
            return None
        if fallback and market_data.market_data_type != fallback:
            market_data.switch_type(fallback)
            return "renew"
        return errors.not_subscribed(code, text, self.what)

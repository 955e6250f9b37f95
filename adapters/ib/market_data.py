"""Snapshots with a delayed-data fallback, and streaming subscriptions that survive 1101.

A snapshot holds one of IB's market data lines until IB sends its snapshot end (57); a
semaphore keeps us well under the 100 lines an account has. When IB says the account has no
live subscription (354, 10167) the session switches to delayed data (type 3) and says so.
"""

from __future__ import annotations

import asyncio

import structlog
from ib_async import IB, RequestError, Ticker

from adapters.ib import errors, mapping
from adapters.ib.bookkeeping import forget_request
from adapters.ib.calls import IbCalls
from adapters.ib.pacing import SingleFlight
from application.ports import Clock
from domain.contract import Contract
from domain.errors import BrokerTimeout, DomainError
from domain.market_data import Quote

log = structlog.get_logger("ibkr_mcp.ib.market_data")
_OPTION_TICKS = "106"  # option implied volatility; greeks come with the model computation
_HAS_DATA = ("bid", "ask", "last", "close", "open", "high", "low", "volume")


class SnapshotOutcome:
    """What one snapshot request produced: the ticker, IB's errors, and how it ended."""

    def __init__(self, ticker: Ticker, errors: list[tuple[int, str]], failure: RequestError | None,
                 complete: bool, reported_type: int | None) -> None:  # fmt: skip
        self.ticker = ticker
        self.errors = errors
        self.failure = failure
        self.complete = complete
        self.reported_type = reported_type

    @property
    def not_subscribed(self) -> bool:
        codes = {code for code, _ in self.errors}
        if self.failure is not None:
            codes.add(self.failure.code)
        return bool(codes & errors.NOT_SUBSCRIBED)

    @property
    def has_data(self) -> bool:
        return any(mapping.number(getattr(self.ticker, f)) not in (None, -1.0) for f in _HAS_DATA)


class IbMarketData:
    def __init__(self, calls: IbCalls, clock: Clock) -> None:
        self._calls = calls
        self._clock = clock
        settings = calls.settings
        self.market_data_type = settings.market_data_type
        self._slots = asyncio.Semaphore(settings.max_concurrent_snapshots)
        self._flight = SingleFlight()
        self._held: dict[int, tuple[Contract, str]] = {}
        calls.supervisor.on_connect(self._on_connect)
        calls.supervisor.on_data_lost(self._resubscribe)

    async def snapshot(self, contract: Contract) -> Quote:
        """One snapshot; concurrent snapshots of the same contract share one IB request."""
        key = ("snapshot", contract.con_id or contract)
        return await self._flight.run(key, lambda: self._snapshot(contract))

    async def _snapshot(self, contract: Contract) -> Quote:
        outcome = await self._request(contract)
        fallback = self._calls.settings.market_data_fallback
        if outcome.not_subscribed and fallback and self.market_data_type != fallback:
            self._switch_type(fallback)
            if not outcome.has_data:
                outcome = await self._request(contract)
        if outcome.failure is not None and not (outcome.not_subscribed and outcome.has_data):
            raise errors.to_domain(outcome.failure.code, outcome.failure.message, contract.symbol)
        if not outcome.complete and not outcome.has_data:
            raise BrokerTimeout(
                f"The IB Gateway sent no market data for {contract.symbol} within "
                f"{self._calls.settings.request_timeout:g} s"
            )
        md_type = outcome.reported_type or self.market_data_type
        if outcome.not_subscribed and md_type == 1 and fallback:
            md_type = fallback  # 10167: "displaying delayed market data"
        return mapping.quote(
            outcome.ticker, symbol=contract.symbol, now=self._clock.now(), market_data_type=md_type
        )

    async def _request(self, contract: Contract) -> SnapshotOutcome:
        timeout = self._calls.settings.request_timeout
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        ib = self._calls.require()
        try:
            await asyncio.wait_for(self._slots.acquire(), timeout)
        except TimeoutError:
            raise BrokerTimeout(
                f"Too many market data requests in flight; none freed up within {timeout:g} s"
            ) from None
        try:
            return await self._snapshot_once(ib, contract, max(0.1, deadline - loop.time()))
        except DomainError:
            raise
        except Exception as exc:
            raise errors.translate(exc, f"a snapshot of {contract.symbol}", timeout) from exc
        finally:
            self._slots.release()

    async def _snapshot_once(self, ib: IB, contract: Contract, budget: float) -> SnapshotOutcome:
        # As ib_async's reqTickersAsync, but bounded, with the request's errors kept and a
        # cancel when IB never ends the snapshot.
        ib_contract = mapping.to_ib_contract(contract)
        generic = _OPTION_TICKS if contract.sec_type in ("OPT", "FOP") else ""
        req_id = ib.client.getReqId()
        # ib_async keeps one Ticker per contract and reuses it: a snapshot that receives
        # nothing would return the previous request's prices as if they were live. Give each
        # snapshot a fresh Ticker, and put back whatever (e.g. a held stream) was there.
        key = hash(ib_contract)
        previous = ib.wrapper.tickers.pop(key, None)
        ticker = ib.wrapper.startTicker(req_id, ib_contract, "snapshot")
        future = ib.wrapper.startReq(req_id, ib_contract)  # type: ignore[no-untyped-call]
        ticker.marketDataType = 0  # 0 until IB reports the type of what it sends
        failure: RequestError | None = None
        complete = False
        with self._calls.supervisor.watch(req_id) as watch:
            ib.client.reqMktData(req_id, ib_contract, generic, True, False, [])  # type: ignore[no-untyped-call]
            try:
                await asyncio.wait_for(future, budget)
                complete = True
            except RequestError as exc:
                failure = exc
            except TimeoutError:
                if ib.isConnected():
                    ib.client.cancelMktData(req_id)  # type: ignore[no-untyped-call]
                ib.wrapper._endReq(req_id)  # type: ignore[no-untyped-call]
            finally:
                ib.wrapper.endTicker(ticker, "snapshot")
                forget_request(ib.wrapper, req_id)  # late ticks for it now find no ticker
                if previous is not None:
                    ib.wrapper.tickers[key] = previous
                elif ib.wrapper.tickers.get(key) is ticker:
                    del ib.wrapper.tickers[key]
        reported = ticker.marketDataType or None
        if not reported:
            ticker.marketDataType = self.market_data_type
        return SnapshotOutcome(ticker, list(watch.errors), failure, complete, reported)

    def _switch_type(self, md_type: int) -> None:
        log.warning("ib.market_data_fallback", market_data_type=md_type)
        self.market_data_type = md_type
        ib = self._calls.supervisor.ib
        if ib is not None and ib.isConnected():
            ib.reqMarketDataType(md_type)

    # -- streaming subscriptions held across 1101 and reconnects ----------------------------------

    def hold(self, contract: Contract, generic_ticks: str = "") -> Ticker:
        """Subscribe to streaming data for ``contract`` and keep it through 1101 and reconnects."""
        ib = self._calls.require()
        self._held[contract.con_id] = (contract, generic_ticks)
        return ib.reqMktData(mapping.to_ib_contract(contract), generic_ticks)

    def release(self, con_id: int) -> None:
        held = self._held.pop(con_id, None)
        ib = self._calls.supervisor.ib
        if held is not None and ib is not None and ib.isConnected():
            contract = mapping.to_ib_contract(held[0])
            ticker = ib.ticker(contract)
            old = ib.wrapper.ticker2ReqId["mktData"].get(ticker) if ticker else None
            ib.cancelMktData(contract)
            if old is not None:
                forget_request(ib.wrapper, old)
            if ticker is not None and ib.wrapper.tickers.get(hash(contract)) is ticker:
                del ib.wrapper.tickers[hash(contract)]

    def held_ticker(self, con_id: int) -> Ticker | None:
        """The live ticker of a held subscription (a new object after a reconnect)."""
        held = self._held.get(con_id)
        ib = self._calls.supervisor.ib
        if held is None or ib is None:
            return None
        return ib.ticker(mapping.to_ib_contract(held[0]))

    def _on_connect(self, ib: IB) -> None:
        if self.market_data_type != 1:
            ib.reqMarketDataType(self.market_data_type)
        self._resubscribe(ib)

    def _resubscribe(self, ib: IB) -> None:
        for contract, generic in self._held.values():
            ib_contract = mapping.to_ib_contract(contract)
            ticker = ib.ticker(ib_contract)
            old = ib.wrapper.ticker2ReqId["mktData"].get(ticker) if ticker else None
            if old is not None:  # IB dropped that request (1101): its id is dead
                forget_request(ib.wrapper, old)
            ib.reqMktData(ib_contract, generic)
        if self._held:
            log.info("ib.market_data_resubscribed", subscriptions=len(self._held))

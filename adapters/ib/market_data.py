"""Snapshots with a delayed-data fallback (streaming quotes are the feed's: ``feed_quotes``).

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
OPTION_TICKS = "106"  # option implied volatility; greeks come with the model computation
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
        self.fallback = settings.market_data_fallback
        self._slots = asyncio.Semaphore(settings.max_concurrent_snapshots)
        self._flight = SingleFlight()
        calls.supervisor.on_connect(self._on_connect)

    async def snapshot(self, contract: Contract) -> Quote:
        """One snapshot; concurrent snapshots of the same contract share one IB request."""
        key = ("snapshot", contract.con_id or contract)
        return await self._flight.run(key, lambda: self._snapshot(contract))

    async def _snapshot(self, contract: Contract) -> Quote:
        outcome = await self._request(contract)
        fallback = self.fallback
        if outcome.not_subscribed and fallback and self.market_data_type != fallback:
            self.switch_type(fallback)
            if not outcome.has_data:
                outcome = await self._request(contract)
        if outcome.failure is not None and not (outcome.not_subscribed and outcome.has_data):
            failure = outcome.failure
            raise errors.to_domain(failure.code, failure.message, f"a quote of {contract.symbol}")
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
        generic = OPTION_TICKS if contract.sec_type in ("OPT", "FOP") else ""
        req_id = ib.client.getReqId()
        # ib_async keeps one Ticker per contract and reuses it (wrapper.tickers): a snapshot
        # that receives nothing would return the previous request's prices as if they were
        # live, and a stream of the same contract would share it. Each snapshot gets a fresh
        # Ticker of its own, known to ib_async by its request id only.
        ticker = Ticker(contract=ib_contract, defaults=ib.wrapper.defaults)
        ib.wrapper.reqId2Ticker[req_id] = ticker
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
                forget_request(ib.wrapper, req_id)  # late ticks for it now find no ticker
        reported = ticker.marketDataType or None
        if not reported:
            ticker.marketDataType = self.market_data_type
        return SnapshotOutcome(ticker, list(watch.errors), failure, complete, reported)

    def switch_type(self, md_type: int) -> None:
        """Ask IB for this market data type from now on (this session and the next ones)."""
        log.warning("ib.market_data_fallback", market_data_type=md_type)
        self.market_data_type = md_type
        ib = self._calls.supervisor.ib
        if ib is not None and ib.isConnected():
            ib.reqMarketDataType(md_type)

    def _on_connect(self, ib: IB) -> None:
        # Before the feed's lines ask for data again on the new session (hooks run in order).
        if self.market_data_type != 1:
            ib.reqMarketDataType(self.market_data_type)

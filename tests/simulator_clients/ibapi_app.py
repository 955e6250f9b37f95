"""IB's own Python client (``ibapi`` 9.81, version 157) driven from an asyncio test.

``ibapi`` is thread-based: ``EClient.connect`` blocks on the socket and ``EClient.run`` loops
over the reader's queue. Both run in worker threads here, so the simulator keeps serving on
the test's event loop; every callback is recorded in one list that the test waits on with a
bound (``IbapiApp.until``), and nothing waits without one.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from ibapi.client import EClient
from ibapi.wrapper import EWrapper

Event = tuple[str, tuple[Any, ...]]

# the callbacks the standard flow uses; each is recorded as (name, args)
_RECORDED = (
    "nextValidId", "managedAccounts", "contractDetails", "contractDetailsEnd",
    "accountSummary", "accountSummaryEnd", "updateAccountValue", "updatePortfolio",
    "updateAccountTime", "accountDownloadEnd", "position", "positionEnd", "tickPrice",
    "tickSize", "tickGeneric", "tickString", "tickSnapshotEnd", "marketDataType",
    "historicalData", "historicalDataEnd", "openOrder", "openOrderEnd", "orderStatus",
    "execDetails", "execDetailsEnd", "commissionReport", "completedOrder",
    "completedOrdersEnd", "tickReqParams", "symbolSamples", "marketRule", "currentTime",
    "tickByTickBidAsk", "tickByTickAllLast", "pnl", "pnlSingle",
)  # fmt: skip


class IbapiApp(EWrapper, EClient):
    def __init__(self) -> None:
        EWrapper.__init__(self)
        EClient.__init__(self, wrapper=self)
        self._lock = threading.Condition()
        self.events: list[Event] = []
        self.errors: list[tuple[int, int, str]] = []
        self.run_thread: threading.Thread | None = None
        self.run_failure: BaseException | None = None

    # --- recording -------------------------------------------------------------------------

    def _record(self, name: str, args: tuple[Any, ...]) -> None:
        with self._lock:
            self.events.append((name, args))
            self._lock.notify_all()

    def error(self, reqId: int, errorCode: int, errorString: str) -> None:
        with self._lock:
            self.errors.append((reqId, errorCode, errorString))
            self.events.append(("error", (reqId, errorCode, errorString)))
            self._lock.notify_all()

    def __getattribute__(self, name: str) -> Any:
        if name in _RECORDED:
            record = object.__getattribute__(self, "_record")
            return lambda *args: record(name, args)
        return object.__getattribute__(self, name)

    def named(self, name: str) -> list[tuple[Any, ...]]:
        with self._lock:
            return [args for event, args in self.events if event == name]

    def codes(self) -> list[int]:
        with self._lock:
            return [code for _, code, _ in self.errors]

    def _wait(self, condition: Callable[[], bool], within: float) -> bool:
        with self._lock:
            return self._lock.wait_for(condition, timeout=within)

    async def until(self, condition: Callable[[], bool], within: float = 5.0) -> None:
        """Wait, at most ``within`` seconds, for a condition over the recorded events."""
        if not await asyncio.to_thread(self._wait, condition, within):
            raise TimeoutError(f"ibapi: condition not met within {within} s")

    # --- threads ---------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            self.run()
        except BaseException as exc:  # a decoding failure ends ibapi's loop: keep it
            self.run_failure = exc
            raise

    def alive(self) -> bool:
        """ibapi's reader thread and its message loop are both still running."""
        reader = getattr(self, "reader", None)
        return (
            self.isConnected()
            and reader is not None
            and reader.is_alive()
            and self.run_thread is not None
            and self.run_thread.is_alive()
        )


@asynccontextmanager
async def ibapi_client(port: int, client_id: int = 1) -> AsyncIterator[IbapiApp]:
    app = IbapiApp()
    await asyncio.wait_for(asyncio.to_thread(app.connect, "127.0.0.1", port, client_id), 5)
    assert app.isConnected(), "ibapi could not connect"
    app.run_thread = threading.Thread(target=app._run, name="ibapi-run", daemon=True)
    app.run_thread.start()
    try:
        await app.until(lambda: bool(app.named("nextValidId")))
        yield app
    finally:
        app.disconnect()
        await asyncio.to_thread(app.run_thread.join, 5)

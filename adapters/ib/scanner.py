"""Market scanners and the parameters the gateway's scanners accept."""

from __future__ import annotations

import logging

from ib_async import IB, RequestError, ScanData

from adapters.ib import errors, mapping
from adapters.ib.calls import IbCalls
from adapters.ib.pacing import TtlCache
from application.ports import Clock
from domain.scanner import ScannerParameters, ScanQuery, ScanResult


class IbScanner:
    def __init__(self, calls: IbCalls, clock: Clock) -> None:
        self._calls = calls
        # the parameters XML is large (megabytes at IB) and changes rarely
        self._parameters: TtlCache[ScannerParameters] = TtlCache(clock, 3600.0, max_entries=1)

    async def scan(self, query: ScanQuery) -> list[ScanResult]:
        subscription, filters = mapping.scanner_subscription(query)

        what = f"the {query.scan_code} scan"

        async def scan_once(ib: IB) -> list[ScanData]:
            # as ib_async's reqScannerDataAsync, but the subscription is cancelled at IB even
            # when we give up waiting (IB allows only a few concurrent scanner subscriptions)
            rows = ib.reqScannerSubscription(subscription, [], filters)
            try:
                pending = ib.wrapper.startReq(rows.reqId, container=rows)  # type: ignore[no-untyped-call]
                return list(await pending)
            except RequestError as exc:
                # IB's scanner speaks through the historical data service's code 162
                raise errors.scanner_error(exc.code, exc.message, what) from exc
            finally:
                if ib.isConnected():
                    ib.cancelScannerSubscription(rows)

        rows = await self._calls.run(what, scan_once)
        return [mapping.scan_result(row) for row in rows[: query.rows]]

    async def parameters(self) -> ScannerParameters:
        cached = self._parameters.get("xml")
        if cached is not None:
            return cached
        xml = await self._calls.run(
            "the scanner parameters",
            lambda ib: ib.reqScannerParametersAsync(),
            serial="scannerParams",
        )
        parameters = mapping.scanner_parameters(xml)
        self._parameters.put("xml", parameters)
        return parameters


class ScannerCancelAckFilter(logging.Filter):
    """Drops ib_async's ERROR log line for IB's acknowledgement of a scanner cancel.

    IB answers every cancelled scanner subscription with error 162 "API scanner subscription
    cancelled"; the adapter cancels after every one-shot scan, so the line is only noise. The
    same text for a scan still waiting is a real failure, and reaches the caller.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "API scanner subscription cancelled" not in str(record.msg)

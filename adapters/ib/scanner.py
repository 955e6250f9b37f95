"""Market scanners and the parameters the gateway's scanners accept."""

from __future__ import annotations

from ib_async import IB, ScanData

from adapters.ib import mapping
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

        async def scan_once(ib: IB) -> list[ScanData]:
            # as ib_async's reqScannerDataAsync, but the subscription is cancelled at IB even
            # when we give up waiting (IB allows only a few concurrent scanner subscriptions)
            rows = ib.reqScannerSubscription(subscription, [], filters)
            try:
                pending = ib.wrapper.startReq(rows.reqId, container=rows)  # type: ignore[no-untyped-call]
                return list(await pending)
            finally:
                if ib.isConnected():
                    ib.cancelScannerSubscription(rows)

        rows = await self._calls.run(f"the {query.scan_code} scan", scan_once)
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

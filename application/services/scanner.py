"""Market scanners."""

from __future__ import annotations

from application.ports import Broker, Clock
from domain.scanner import ScannerParameters, ScanQuery, ScanResults


class ScannerService:
    def __init__(self, broker: Broker, clock: Clock) -> None:
        self._broker = broker
        self._clock = clock

    async def results(self, query: ScanQuery) -> ScanResults:
        rows = await self._broker.scan(query)
        return ScanResults(
            scan_results=rows, scan_time=self._clock.now(), scan_code=query.scan_code
        )

    async def parameters(self) -> ScannerParameters:
        return await self._broker.scanner_parameters()

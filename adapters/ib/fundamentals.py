"""Fundamentals reports and corporate events from IB.

A report is fetched once per contract and type within ``REPORT_TTL`` (they change with a
company's filings, not by the minute) and read into fields (``fundamentals_xml``). IB's 430
says the instrument has no fundamentals: DataNotFound (404), not a gateway failure.
"""

from __future__ import annotations

from ib_async import IB, RequestError

from adapters.ib import mapping
from adapters.ib.calls import IbCalls
from adapters.ib.fundamentals_xml import read_report
from adapters.ib.pacing import SingleFlight, TtlCache
from application.ports import Clock
from domain.contract import Contract
from domain.errors import DataNotFound
from domain.fundamentals import FundamentalsReport

REPORT_TTL = 900.0
NO_FUNDAMENTALS = 430


class IbFundamentals:
    def __init__(self, calls: IbCalls, clock: Clock) -> None:
        self._calls = calls
        self._reports: TtlCache[FundamentalsReport] = TtlCache(clock, REPORT_TTL, 64)
        self._flight = SingleFlight()

    async def report(self, contract: Contract, report_type: str) -> FundamentalsReport:
        key = (contract.con_id, report_type)
        cached = self._reports.get(key)
        if cached is not None:
            return cached
        return await self._flight.run(key, lambda: self._fetch(contract, report_type))

    async def _fetch(self, contract: Contract, report_type: str) -> FundamentalsReport:
        what = f"the {report_type} report of {contract.symbol}"
        wanted = mapping.to_ib_contract(contract)

        async def fetch(ib: IB) -> str:
            try:
                return await ib.reqFundamentalDataAsync(wanted, report_type)
            except RequestError as exc:
                if exc.code == NO_FUNDAMENTALS:
                    raise DataNotFound(
                        f"IB has no fundamentals data for {contract.symbol} (contract_id "
                        f"{contract.con_id}, {report_type}): IB keeps them for company stocks, "
                        "not ETFs or derivatives; for a stock, the account may lack the "
                        "fundamentals (Refinitiv) research subscription in Client Portal "
                        f"(IB error {exc.code}: {exc.message})"
                    ) from exc
                raise

        text = await self._calls.run(what, fetch, limit=self._calls.settings.historical_timeout)
        report = read_report(report_type, text or "")
        self._reports.put((contract.con_id, report_type), report)
        return report

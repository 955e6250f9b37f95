"""Company fundamentals (IB's reports, as fields) and corporate events (Wall Street Horizon).

Answers are sized for a context window: every list of a report is cut to ``limit`` entries
(periods, holders, estimates, events); a larger limit gets more.
"""

from __future__ import annotations

from datetime import date

import msgspec

from application.company_ports import FundamentalsBroker
from application.services.contracts import ContractService
from domain.contract import ContractQuery
from domain.errors import DataNotFound, InvalidRequest
from domain.fundamentals import (
    DEFAULT_EVENTS,
    DEFAULT_LIMIT,
    MAX_EVENTS,
    MAX_LIMIT,
    REPORT_TYPES,
    CorporateEvents,
    Fundamentals,
    FundamentalsReport,
)

_LISTS = ("summary", "dividends", "statements", "holders", "estimates", "events")
_BY_LOWER = {name.lower(): name for name in REPORT_TYPES}


def report_type_of(value: str) -> str:
    """IB's spelling of a report type (any case), or InvalidRequest naming them."""
    found = _BY_LOWER.get(value.strip().lower())
    if found is None:
        raise InvalidRequest(
            f"Unknown report type {value!r}; IB's report types are {', '.join(REPORT_TYPES)}",
            field="report_type",
            accepted=list(REPORT_TYPES),
        )
    return found


class FundamentalsService:
    def __init__(self, contracts: ContractService, broker: FundamentalsBroker) -> None:
        self._contracts = contracts
        self._broker = broker

    async def fundamentals(
        self, contract_id: int, report_type: str, limit: int = DEFAULT_LIMIT
    ) -> Fundamentals:
        kind = report_type_of(report_type)
        if not 1 <= limit <= MAX_LIMIT:
            raise InvalidRequest(f"limit must be 1 to {MAX_LIMIT}", field="limit")
        contract = await self._contracts.resolve(ContractQuery(con_id=contract_id))
        if contract.sec_type != "STK":
            raise DataNotFound(
                f"IB keeps fundamentals for stocks only; contract_id {contract_id} is a "
                f"{contract.sec_type} (use the underlying stock's contract_id)"
            )
        report = await self._broker.fundamentals(contract, kind)
        cut, truncated = _cut(report, limit)
        return Fundamentals(
            **msgspec.structs.asdict(cut),
            contract_id=contract.con_id,
            symbol=contract.symbol,
            report_type=kind,
            limit=limit,
            truncated=truncated,
        )

    async def corporate_events(
        self,
        contract_id: int,
        start: date | None = None,
        end: date | None = None,
        limit: int = DEFAULT_EVENTS,
    ) -> CorporateEvents:
        if not 1 <= limit <= MAX_EVENTS:
            raise InvalidRequest(f"limit must be 1 to {MAX_EVENTS}", field="limit")
        if start is not None and end is not None and start > end:
            raise InvalidRequest("start must not be after end", field="start")
        contract = await self._contracts.resolve(ContractQuery(con_id=contract_id))
        if contract.sec_type != "STK":
            raise DataNotFound(
                f"Wall Street Horizon keeps corporate events for stocks only; contract_id "
                f"{contract_id} is a {contract.sec_type}"
            )
        found = (await self._broker.corporate_events(contract, start, end, limit))[:limit]
        return CorporateEvents(
            contract_id=contract.con_id, symbol=contract.symbol, events=found, count=len(found)
        )


def _cut(report: FundamentalsReport, limit: int) -> tuple[FundamentalsReport, bool]:
    """Each list cut to ``limit`` entries; statements to ``limit`` periods of each kind."""
    changes: dict[str, list[object]] = {}
    truncated = False
    for name in _LISTS:
        entries: list[object] = getattr(report, name)
        if name == "statements":
            periods: dict[tuple[str, str], int] = {}
            cut: list[object] = []
            for s in report.statements:  # newest first per statement and period type
                key = (s.statement, s.period_type)
                periods[key] = periods.get(key, 0) + 1
                if periods[key] <= limit:
                    cut.append(s)
        else:
            cut = entries[:limit]
        truncated = truncated or len(cut) < len(entries)
        changes[name] = cut
    return msgspec.structs.replace(report, **changes), truncated

"""Research history beyond bars: head timestamp, historical ticks (paged), histogram and the
historical trading schedule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec.structs

from application.ports import Broker, Clock
from application.schedule_ports import ScheduleBroker
from application.services.contracts import ContractService
from domain.contract import ContractQuery
from domain.errors import NotSupported
from domain.history_extras import (
    HeadTimestamp,
    Histogram,
    HistoricalTicks,
    TicksQuery,
    normalise_period,
)
from domain.trading_schedule import TradingSchedule, check_days


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


class HistoryExtrasService:
    def __init__(
        self,
        broker: Broker,
        contracts: ContractService,
        clock: Clock,
        schedules: ScheduleBroker | None = None,
    ) -> None:
        self._broker = broker
        self._contracts = contracts
        self._clock = clock
        self._schedules = schedules

    async def head_timestamp(
        self, contract_id: int, what_to_show: str, use_rth: bool
    ) -> HeadTimestamp:
        contract = await self._contracts.resolve(ContractQuery(con_id=contract_id))
        first = await self._broker.head_timestamp(contract, what_to_show, use_rth)
        return HeadTimestamp(
            symbol=contract.symbol,
            contract_id=contract.con_id,
            what_to_show=what_to_show,
            use_rth=use_rth,
            earliest=iso(first),
        )

    async def historical_ticks(self, query: TicksQuery) -> HistoricalTicks:
        """One page of ticks; ``next_start`` (forward) or ``next_end`` (backward) continues
        after the second of its last tick (IB returns every tick of a second it starts)."""
        contract = await self._contracts.resolve(ContractQuery(con_id=query.contract_id))
        end = None if query.start or query.end else self._clock.now()
        ticks = await self._broker.historical_ticks(contract, query, end)
        result = HistoricalTicks(
            symbol=contract.symbol,
            contract_id=contract.con_id,
            what_to_show=query.what_to_show,
            ticks=ticks,
            count=len(ticks),
        )
        if not ticks:
            return msgspec.structs.replace(
                result,
                message="No ticks in the first trading session from there; IB answers one "
                "session per request, so ask again from the next session",
            )
        edge = ticks[-1] if query.forward else ticks[0]
        moment = datetime.fromisoformat(edge.time)
        if query.forward:
            return msgspec.structs.replace(result, next_start=iso(moment + timedelta(seconds=1)))
        return msgspec.structs.replace(result, next_end=iso(moment - timedelta(seconds=1)))

    async def histogram(self, contract_id: int, period: str, use_rth: bool) -> Histogram:
        period = normalise_period(period)
        contract = await self._contracts.resolve(ContractQuery(con_id=contract_id))
        buckets = await self._broker.histogram(contract, period, use_rth)
        return Histogram(
            symbol=contract.symbol,
            contract_id=contract.con_id,
            period=period,
            use_rth=use_rth,
            buckets=sorted(buckets, key=lambda b: b.price),
        )

    async def trading_schedule(
        self, contract_id: int, days: int, end: datetime | None, use_rth: bool
    ) -> TradingSchedule:
        """The sessions of the last ``days`` trading days up to ``end`` (None: now), in the
        exchange's time zone, oldest first."""
        check_days(days)
        if self._schedules is None:
            raise NotSupported("This service's broker does not offer trading schedules")
        contract = await self._contracts.resolve(ContractQuery(con_id=contract_id))
        found = await self._schedules.historical_schedule(contract, days, end, use_rth)
        sessions = sorted(found.sessions, key=lambda s: s.start)
        result = TradingSchedule(
            contract_id=contract.con_id,
            symbol=contract.symbol,
            time_zone=found.time_zone,
            use_rth=use_rth,
            sessions=sessions,
            count=len(sessions),
        )
        if not sessions:
            return result
        return msgspec.structs.replace(result, start=sessions[0].start, end=sessions[-1].end)

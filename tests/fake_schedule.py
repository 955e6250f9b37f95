"""The fake broker's historical trading schedule (``application.schedule_ports.ScheduleBroker``).

A test may put a schedule in (``historical_schedules[con_id]``); otherwise the fake lists one
New York session per weekday back from the end (Friday 2025-10-03 when none is given): 09:30
to 16:00 with ``use_rth``, 04:00 to 20:00 without. No holidays: the simulator has those."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain.contract import Contract
from domain.trading_schedule import BrokerSchedule, ScheduledSession

NEW_YORK = ZoneInfo("US/Eastern")
LAST_DAY = date(2025, 10, 3)


class FakeSchedules:
    def __init__(self) -> None:
        super().__init__()
        self.historical_schedules: dict[int, BrokerSchedule] = {}

    async def historical_schedule(
        self, contract: Contract, days: int, end: datetime | None, use_rth: bool
    ) -> BrokerSchedule:
        fake: Any = self
        fake._record("historical_schedule", contract, days, end, use_rth)
        fake._require_connection()
        stored = self.historical_schedules.get(contract.con_id)
        if stored is not None:
            return stored
        opens, closes = (time(9, 30), time(16)) if use_rth else (time(4), time(20))
        day = end.astimezone(NEW_YORK).date() if end else LAST_DAY
        sessions: list[ScheduledSession] = []
        while len(sessions) < days:
            if day.weekday() < 5:
                sessions.insert(0, ScheduledSession(
                    start=datetime.combine(day, opens, NEW_YORK).isoformat(),
                    end=datetime.combine(day, closes, NEW_YORK).isoformat(),
                    ref_date=day.isoformat(),
                ))  # fmt: skip
            day -= timedelta(days=1)
        return BrokerSchedule(time_zone="US/Eastern", sessions=sessions)

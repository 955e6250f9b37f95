"""keepUpToDate historical requests: the last bar follows the live price, and a new bar starts
when its period ends (IB's HISTORICAL_DATA_UPDATE then carries the new bar's time)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from adapters.simulated_gateway.markets.bar_grammar import BAR_SECONDS, canonical_bar
from adapters.simulated_gateway.model import Bar, Instrument
from adapters.simulated_gateway.tws import messages_contracts as cm
from adapters.simulated_gateway.tws.messages import Fields

DAY = 86400


@dataclass(slots=True)
class LiveBars:
    instrument: Instrument
    bar: Bar
    bar_seconds: int  # intraday bars roll on clock boundaries; daily and longer do not roll
    daily: bool
    format_date: int

    @classmethod
    def start(
        cls, inst: Instrument, last: Bar, bar_size: str, daily: bool, format_date: int
    ) -> LiveBars:
        try:
            seconds = BAR_SECONDS[canonical_bar(bar_size)]
        except (KeyError, ValueError):
            seconds = DAY
        return cls(inst, last, seconds if seconds < DAY else 0, daily, format_date)

    def date_text(self) -> str:
        return cm.bar_time_text(
            self.bar.time,
            daily=self.daily,
            format_date=self.format_date,
            time_zone=self.instrument.time_zone_id,
        )

    def step(self, req_id: int, now: datetime, price: float) -> Fields | None:
        """The update to send for the live price at ``now``, or None when nothing changed."""
        if price != price:
            return None
        bar = self.bar
        if (
            self.bar_seconds
            and price != bar.close
            and now >= self._bar_start(bar.time) + self._period()
        ):
            # a print in a later period opens a new bar on that period's clock boundary
            self.bar = Bar(self._bar_start(now), price, price, price, price, 0.0, price, 0)
        elif price == bar.close:
            return None
        else:
            self.bar = replace(bar, close=price, high=max(bar.high, price), low=min(bar.low, price))
        return cm.historical_data_update(req_id, self.bar, self.date_text())

    def _period(self) -> timedelta:
        return timedelta(seconds=self.bar_seconds)

    def _bar_start(self, now: datetime) -> datetime:
        zone = ZoneInfo(self.instrument.time_zone_id or "UTC")
        local = now.astimezone(zone)
        midnight = datetime.combine(local.date(), time(0), zone)
        elapsed = int((local - midnight).total_seconds())
        return midnight + timedelta(seconds=elapsed - elapsed % self.bar_seconds)

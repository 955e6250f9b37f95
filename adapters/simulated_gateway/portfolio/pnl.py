"""Profit and loss as IB's reqPnL / reqPnLSingle report it, from the paper account's books.

Unrealized is against average cost (commissions included, as IB does), realized is net of
commissions since the simulator started, daily is the change of realized plus unrealized since
the start of the trading day (the account starts flat, so on the first day since the start).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from adapters.simulated_gateway.model import Instrument, PnlFigures

from .account import NAN, PaperAccount
from .margin import Valuation, holding_row_values

Mark = Callable[[Instrument], float]


class DailyPnl:
    """Remembers realized plus unrealized at the start of the day, per account and position."""

    def __init__(self, day: date) -> None:
        self.day = day
        self._account = 0.0
        self._positions: dict[int, float] = {}

    def roll(
        self,
        day: date,
        valuation: Callable[[], Valuation],
        positions: Callable[[], dict[int, float]],
    ) -> None:
        """On the first step of a new day, start its PnL from the figures of that moment."""
        if day == self.day:
            return
        v = valuation()
        self.day, self._account, self._positions = day, v.realized + v.unrealized, positions()

    def account(self, total: float) -> float:
        return total - self._account

    def position(self, con_id: int, total: float) -> float:
        return total - self._positions.get(con_id, 0.0)


def position_totals(book: PaperAccount, mark: Mark) -> dict[int, float]:
    """Realized plus unrealized per held (or once held) contract, in its own currency."""
    return {
        con_id: h.realized + holding_row_values(h, mark(h.instrument))[1]
        for con_id, h in book.holdings.items()
    }


def account_pnl(valuation: Valuation, daily: DailyPnl) -> PnlFigures:
    total = valuation.realized + valuation.unrealized
    return PnlFigures(
        daily=daily.account(total), unrealized=valuation.unrealized, realized=valuation.realized
    )


def position_pnl(book: PaperAccount, con_id: int, mark: Mark, daily: DailyPnl) -> PnlFigures:
    h = book.holdings.get(con_id)
    if h is None:  # never traded: IB reports no position and no figures
        return PnlFigures(daily=0.0, unrealized=NAN, realized=NAN)
    value, unrealized = holding_row_values(h, mark(h.instrument))
    return PnlFigures(
        daily=daily.position(con_id, h.realized + unrealized),
        unrealized=unrealized,
        realized=h.realized,
        position=h.quantity,
        value=value,
    )

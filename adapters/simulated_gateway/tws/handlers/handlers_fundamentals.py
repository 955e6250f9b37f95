"""Company data requests: fundamentals reports (52 -> 51, cancel 53) and Wall Street Horizon
corporate events (100 -> 104, 102 -> 105, cancels 101 and 103).

A report is answered at once, so cancels have nothing left to stop. An instrument without
company data (an ETF, option, future, index, currency) gets IB's 430 for a report and no
WSH events.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from adapters.simulated_gateway.markets import wsh
from adapters.simulated_gateway.markets.company import company, has_fundamentals
from adapters.simulated_gateway.markets.fundamentals import NOT_AVAILABLE, report
from adapters.simulated_gateway.markets.trading_calendar import EASTERN
from adapters.simulated_gateway.model import ContractQuery
from adapters.simulated_gateway.tws import messages_fundamentals as fm
from adapters.simulated_gateway.tws.wire import FieldReader

if TYPE_CHECKING:
    from adapters.simulated_gateway.tws.client import Client

UNSET_INTEGER = 2**31 - 1  # ib_async sends it for an unset conId or totalLimit
MAX_WSH_EVENTS = 100


class FundamentalsHandlers:
    def __init__(self, session: Client) -> None:
        self.session = session
        self.seed: int = getattr(session.world, "seed", 0)

    def routes(self) -> dict[str, Any]:
        return {"52": self.req_fundamental_data, "53": self._cancel, "100": self.req_wsh_meta,
                "101": self._cancel, "102": self.req_wsh_events, "103": self._cancel}  # fmt: skip

    def _cancel(self, fields: list[str]) -> None:
        """Every answer went out at once: nothing is left to cancel."""

    def _today(self) -> date:
        return self.session.world.now().astimezone(EASTERN).date()

    def req_fundamental_data(self, fields: list[str]) -> None:
        r = FieldReader(fields, 2)
        req_id = r.integer()
        query = ContractQuery(
            con_id=r.integer(), symbol=r.text(), sec_type=r.text(), exchange=r.text(),
            primary_exchange=r.text(), currency=r.text(), local_symbol=r.text(),
        )  # fmt: skip
        kind = r.text()
        inst = self.session.resolve(req_id, query)
        if inst is None:
            return
        world = self.session.world
        xml = None
        if has_fundamentals(inst):
            quote = world.quote(inst.con_id)
            price = quote.close if math.isnan(quote.last) else quote.last  # no print yet
            xml = report(kind, company(inst, self.seed, self._today()), price, self._today(),
                         self.seed)  # fmt: skip
        if xml is None:
            self.session.error(req_id, *NOT_AVAILABLE)
            return
        self.session.send(fm.fundamental_data(req_id, xml))

    def req_wsh_meta(self, fields: list[str]) -> None:
        req_id = FieldReader(fields, 1).integer()
        self.session.send(fm.wsh_meta_data(req_id, wsh.meta_data()))

    def req_wsh_events(self, fields: list[str]) -> None:
        r = FieldReader(fields, 1)
        req_id, con_id = r.integer(), r.integer()
        r.skip(4)  # filter, fillWatchlist, fillPortfolio, fillCompetitors
        start, end, limit = _day(r.text()), _day(r.text()), r.integer()
        limit = MAX_WSH_EVENTS if limit in (0, UNSET_INTEGER) else min(limit, MAX_WSH_EVENTS)
        if con_id in (0, UNSET_INTEGER):  # watchlist and portfolio filters: none modelled
            self.session.send(fm.wsh_event_data(req_id, "[]"))
            return
        inst = self.session.resolve(req_id, ContractQuery(con_id=con_id))
        if inst is None:
            return
        data = "[]"
        if has_fundamentals(inst):
            found = company(inst, self.seed, self._today())
            data = wsh.events(found, self._today(), start, end, limit)
        self.session.send(fm.wsh_event_data(req_id, data))


def _day(text: str) -> date | None:
    """WSH dates are ``YYYYMMDD``; empty for no bound. Raises ValueError."""
    text = text.strip()
    return datetime.strptime(text, "%Y%m%d").date() if text else None

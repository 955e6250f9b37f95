"""PnL subscriptions (reqPnL 92 / cancel 93, reqPnLSingle 94 / cancel 95).

IB answers a subscription at once and then whenever the figures change; here, with every
portfolio change the world pushes (after each fill, and at most once a second as prices move).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adapters.simulated_gateway.tws import messages_pnl as pm
from adapters.simulated_gateway.tws.wire import FieldReader

if TYPE_CHECKING:
    from adapters.simulated_gateway.tws.client import Client

NO_SECURITY_DEFINITION = "No security definition has been found for the request"


class PnlHandlers:
    def __init__(self, session: Client) -> None:
        self.session = session
        self.accounts: set[int] = set()  # reqIds of reqPnL
        self.singles: dict[int, int] = {}  # reqId -> conId of reqPnLSingle

    def routes(self) -> dict[str, Any]:
        return {
            "92": self.req_pnl,
            "93": self.cancel_pnl,
            "94": self.req_pnl_single,
            "95": self.cancel_pnl_single,
        }

    def clear(self) -> None:
        self.accounts.clear()
        self.singles.clear()

    def req_pnl(self, fields: list[str]) -> None:
        """`92|reqId|account|modelCode`: one account here, so the account is not checked."""
        req_id = FieldReader(fields, 1).integer()
        self.accounts.add(req_id)
        self.session.send(pm.pnl(req_id, self.session.world.pnl()))

    def cancel_pnl(self, fields: list[str]) -> None:
        self.accounts.discard(FieldReader(fields, 1).integer())

    def req_pnl_single(self, fields: list[str]) -> None:
        """`94|reqId|account|modelCode|conId`."""
        r = FieldReader(fields, 1)
        req_id = r.integer()
        r.skip(2)
        con_id = r.integer()
        figures = self.session.world.pnl_single(con_id)
        if figures is None:
            self.session.error(req_id, 200, NO_SECURITY_DEFINITION)
            return
        self.singles[req_id] = con_id
        self.session.send(pm.pnl_single(req_id, figures))

    def cancel_pnl_single(self, fields: list[str]) -> None:
        self.singles.pop(FieldReader(fields, 1).integer(), None)

    def on_portfolio(self) -> None:
        world = self.session.world
        if self.accounts:
            figures = world.pnl()
            for req_id in self.accounts:
                self.session.send(pm.pnl(req_id, figures))
        for req_id, con_id in self.singles.items():
            single = world.pnl_single(con_id)
            if single is not None:
                self.session.send(pm.pnl_single(req_id, single))

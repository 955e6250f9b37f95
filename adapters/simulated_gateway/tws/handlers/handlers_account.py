"""Account requests and subscriptions: account updates, positions, summaries, per-account
updates; each subscription is kept current from the world's PortfolioChanged events."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from adapters.simulated_gateway.model import AccountValue, PortfolioChanged, PositionRow
from adapters.simulated_gateway.tws import messages_account as am
from adapters.simulated_gateway.tws.wire import FieldReader

if TYPE_CHECKING:
    from adapters.simulated_gateway.tws.client import Client

# The per-currency keys that IB's "$LEDGER" account-summary tags expand to.
LEDGER_KEYS = frozenset(
    {
        "CashBalance",
        "TotalCashBalance",
        "AccruedCash",
        "StockMarketValue",
        "OptionMarketValue",
        "FutureOptionValue",
        "FuturesPNL",
        "NetLiquidationByCurrency",
        "UnrealizedPnL",
        "RealizedPnL",
        "ExchangeRate",
        "FundValue",
        "NetDividend",
        "MutualFundValue",
        "MoneyMarketFundValue",
        "CorporateBondValue",
        "TBondValue",
        "TBillValue",
        "WarrantValue",
        "FxCashBalance",
        "IssuerOptionValue",
    }
)


def summary_rows(tags: Sequence[str], values: Sequence[AccountValue]) -> list[AccountValue]:
    """The account values an account-summary tag list selects, in IB's way: plain tags in the
    base currency, "$LEDGER" per-currency keys in BASE, "$LEDGER:ALL" in every currency,
    "$LEDGER:EUR" in one."""
    wanted = set(tags)
    every_currency = "$LEDGER:ALL" in wanted
    rows: list[AccountValue] = []
    for value in values:
        if (value.key in wanted and value.currency != "BASE") or (
            value.key in LEDGER_KEYS
            and (
                every_currency
                or (value.currency == "BASE" and "$LEDGER" in wanted)
                or f"$LEDGER:{value.currency}" in wanted
            )
        ):
            rows.append(value)
    return rows


class AccountHandlers:
    def __init__(self, session: Client) -> None:
        self.session = session
        self.updates = False
        self.positions = False
        self.summaries: dict[int, list[str]] = {}
        self.multi: dict[int, bool] = {}  # reqId -> ledgerAndNLV

    def routes(self) -> dict[str, Any]:
        return {
            "6": self.req_account_updates,
            "61": self.req_positions,
            "64": self.cancel_positions,
            "62": self.req_account_summary,
            "63": self.cancel_account_summary,
            "76": self.req_account_updates_multi,
            "77": self.cancel_account_updates_multi,
        }

    def clear(self) -> None:
        self.updates = self.positions = False
        self.summaries.clear()
        self.multi.clear()

    def req_account_updates(self, fields: list[str]) -> None:
        r = FieldReader(fields, 2)
        self.updates = r.flag()
        if not self.updates:
            return
        world = self.session.world
        self._send_updates(world.positions(), world.account_values())
        self.session.send(am.acct_download_end(self.session.account))

    def _send_updates(self, rows: Sequence[PositionRow], values: Sequence[AccountValue]) -> None:
        send = self.session.send
        account = self.session.account
        for value in values:
            send(am.acct_value(value.key, value.value, value.currency, account))
        for row in rows:
            send(am.portfolio_value(row))
        send(am.acct_update_time(self.session.world.now().strftime("%H:%M")))

    def req_positions(self, fields: list[str]) -> None:
        self.positions = True
        for row in self.session.world.positions():
            self.session.send(am.position_data(row))
        self.session.send(am.position_end())

    def cancel_positions(self, fields: list[str]) -> None:
        self.positions = False

    def req_account_summary(self, fields: list[str]) -> None:
        r = FieldReader(fields, 2)
        req_id = r.integer()
        r.skip(1)  # group: "All"
        tags = [t.strip() for t in r.text().split(",") if t.strip()]
        self.summaries[req_id] = tags
        self._send_summary(req_id, tags, self.session.world.account_values())
        self.session.send(am.account_summary_end(req_id))

    def _send_summary(self, req_id: int, tags: list[str], values: Sequence[AccountValue]) -> None:
        account = self.session.account
        for v in summary_rows(tags, values):
            self.session.send(am.account_summary(req_id, account, v.key, v.value, v.currency))

    def cancel_account_summary(self, fields: list[str]) -> None:
        self.summaries.pop(FieldReader(fields, 2).integer(), None)

    def req_account_updates_multi(self, fields: list[str]) -> None:
        r = FieldReader(fields, 2)
        req_id = r.integer()
        r.skip(2)  # account, modelCode: one account here
        ledger_and_nlv = r.flag()
        self.multi[req_id] = ledger_and_nlv
        self._send_multi(req_id, ledger_and_nlv, self.session.world.account_values())
        self.session.send(am.account_update_multi_end(req_id))

    def _send_multi(self, req_id: int, ledger_only: bool, values: Sequence[AccountValue]) -> None:
        account = self.session.account
        for v in values:
            if ledger_only and v.key not in LEDGER_KEYS and v.key != "NetLiquidation":
                continue
            self.session.send(
                am.account_update_multi(req_id, account, "", v.key, v.value, v.currency)
            )

    def cancel_account_updates_multi(self, fields: list[str]) -> None:
        self.multi.pop(FieldReader(fields, 2).integer(), None)

    def on_portfolio(self, event: PortfolioChanged) -> None:
        """Push a portfolio/account change to every live subscription of this client."""
        if self.positions:
            for row in event.positions:
                self.session.send(am.position_data(row))
        if self.updates:
            self._send_updates(event.positions, event.account_values)
        for req_id, tags in self.summaries.items():
            self._send_summary(req_id, tags, event.account_values)
        for req_id, ledger_only in self.multi.items():
            self._send_multi(req_id, ledger_only, event.account_values)

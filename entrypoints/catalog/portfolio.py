"""The portfolio and IB's live profit and loss, for the account and per contract."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from domain.account import AccountPnl, PortfolioItem, PositionPnl
from domain.errors import ContractNotFound, InvalidRequest
from entrypoints.catalog.account import AccountInput
from entrypoints.catalog.fields import MAX_ID, AccountId
from entrypoints.catalog.operation import BROKER_ERRORS, QUERY, Mcp, Operation, Paging, Rest
from entrypoints.catalog.paging import cursor_extra, limit_extra

# ~330 bytes a holding: 50 are ~17 KB.
HOLDINGS = Paging(
    key=lambda item: f"{item.account_id}:{item.contract_id}", mcp_default=50, maximum=1000,
    what="holdings",
)  # fmt: skip


class PositionPnlInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    contract_id: Annotated[
        int,
        Meta(
            ge=1,
            le=MAX_ID,
            description="IB contract id (conId) of the holding, e.g. 265598 for AAPL stock "
            "(get_positions and get_portfolio list them)",
            examples=[265598],
        ),
    ]
    account_id: AccountId = None


OPERATIONS = (
    Operation(
        name="get_portfolio",
        title="Portfolio",
        description="""The account's holdings as IB's live portfolio reports them, priced at IB's mark.

One entry per contract held: position (negative when short), market price, market value,
average cost per unit (commissions included), unrealized and realized PnL, in the contract's
currency with the multiplier included; options also carry expiry, strike and right. Unlike
get_positions it reads IB's running portfolio subscription without asking IB again.""",
        input=AccountInput,
        output=list[PortfolioItem],
        nature=QUERY,
        errors=(InvalidRequest, *BROKER_ERRORS),
        call=lambda q, c: c.services.account.portfolio(q.account_id),
        rest=Rest("/ibkr/portfolio", tag="account"),
        mcp=Mcp(list_key="portfolio"),
        extras=(limit_extra(HOLDINGS), cursor_extra()),
        paging=HOLDINGS,
    ),
    Operation(
        name="get_pnl",
        title="Account profit and loss",
        description="""The account's profit and loss as IB computes it live, in the base currency.

daily_pnl is the change since the start of the trading day, unrealized_pnl the open positions'
gain against their cost, realized_pnl what closed positions made (net of commissions). A
figure IB does not report is null.""",
        input=AccountInput,
        output=AccountPnl,
        nature=QUERY,
        errors=(InvalidRequest, *BROKER_ERRORS),
        call=lambda q, c: c.services.account.pnl(q.account_id),
        rest=Rest("/ibkr/pnl", tag="account"),
    ),
    Operation(
        name="get_position_pnl",
        title="Profit and loss of one position",
        description="""One contract's position and profit and loss as IB computes it live, in the contract's currency.

position, daily_pnl (since the start of the trading day), unrealized_pnl, realized_pnl and
market_value. A contract the account does not hold answers position 0 (with today's realized
PnL if it was closed today); an unknown contract id is contract_not_found.""",
        input=PositionPnlInput,
        output=PositionPnl,
        nature=QUERY,
        errors=(InvalidRequest, ContractNotFound, *BROKER_ERRORS),
        call=lambda q, c: c.services.account.position_pnl(q.contract_id, q.account_id),
        rest=Rest("/ibkr/pnl/{contract_id}", tag="account"),
    ),
)

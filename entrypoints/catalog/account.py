"""Account operations: headline figures, raw values, positions."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from domain.account import AccountSummary, AccountValue, Position
from domain.errors import InvalidRequest
from entrypoints.catalog.details import DETAILS
from entrypoints.catalog.fields import AccountId
from entrypoints.catalog.operation import BROKER_ERRORS, QUERY, Mcp, Operation, Paging, Rest
from entrypoints.catalog.paging import cursor_extra, limit_extra

# ~300 bytes a position: 50 are ~15 KB.
POSITIONS = Paging(key=lambda p: p.contract_id, mcp_default=50, maximum=1000, what="positions")


class AccountInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    account_id: AccountId = None


class AccountValuesInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    account_id: AccountId = None
    key: Annotated[
        Annotated[str, Meta(max_length=64)] | None,
        Meta(
            description="Only keys containing this text (any case), e.g. Margin, CashBalance"
            f"{DETAILS}For example NetLiquidation; every value (a long list) when omitted",
            examples=["Margin"],
        ),
    ] = None


OPERATIONS = (
    Operation(
        name="get_account_summary",
        title="Account summary",
        description="""Headline figures of the account in its base currency: net liquidation, cash, PnL, available funds, buying power. Call it first to see how much the account can buy.

Details: Net liquidation value is what the account would be worth if everything were sold
now. The summary also holds the market value of positions, unrealized and realized profit
and loss, excess liquidity (the margin cushion) and leverage. A figure IB did not report is
null.""",
        input=AccountInput,
        output=AccountSummary,
        nature=QUERY,
        errors=(InvalidRequest, *BROKER_ERRORS),
        call=lambda q, c: c.services.account.summary(q.account_id),
        rest=Rest("/ibkr/account/summary", tag="account"),
    ),
    Operation(
        name="get_account_values",
        title="Raw account values",
        description="""Every raw account value IB reports (key, value, currency): for a figure get_account_summary lacks; narrow them with key.

Details: This is the full list behind the summary: hundreds of entries such as
NetLiquidation, MaintMarginReq, SMA or CashBalance per currency.""",
        input=AccountValuesInput,
        output=list[AccountValue],
        nature=QUERY,
        errors=(InvalidRequest, *BROKER_ERRORS),
        call=lambda q, c: c.services.account.values(q.account_id, q.key),
        rest=Rest("/ibkr/account/values", tag="account"),
        mcp=Mcp(list_key="account_values"),
    ),
    Operation(
        name="get_positions",
        title="Positions",
        description="""Current holdings, one per contract: position (negative when short), average cost, market value and PnL. Its contract_id names a holding for place_order.

Details: average_cost is per unit including commissions; market value and PnL include the
multiplier (100 for most US options). Options also carry expiry, strike and right (C for
call, P for put). Sorted by asset class and symbol. The contract_id names a holding exactly,
e.g. to close it.""",
        input=AccountInput,
        output=list[Position],
        nature=QUERY,
        errors=(InvalidRequest, *BROKER_ERRORS),
        call=lambda q, c: c.services.account.positions(q.account_id),
        rest=Rest("/ibkr/account/positions", tag="account"),
        mcp=Mcp(list_key="positions"),
        extras=(limit_extra(POSITIONS), cursor_extra()),
        paging=POSITIONS,
    ),
)

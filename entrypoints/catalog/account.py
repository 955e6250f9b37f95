"""Account operations: headline figures, raw values, positions."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from domain.account import AccountSummary, AccountValue, Position
from domain.errors import InvalidRequest
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
            description="Only values whose key contains this text, case-insensitive, e.g. "
            "Margin, CashBalance, NetLiquidation; every value (a long list) when omitted",
            examples=["Margin"],
        ),
    ] = None


OPERATIONS = (
    Operation(
        name="get_account_summary",
        title="Account summary",
        description="""Headline figures of the trading account, in its base currency.

Net liquidation value (what the account would be worth if everything were sold now), cash,
the market value of positions, unrealized and realized profit and loss, the funds available
for new trades, excess liquidity (the margin cushion), buying power and leverage. A figure IB
did not report is null. Call it first to see how large the account is and how much it can
still buy.""",
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
        description="""Every raw account value Interactive Brokers reports, as key, text value and currency.

This is the full list behind the summary: hundreds of entries such as NetLiquidation,
MaintMarginReq, SMA or CashBalance per currency. Use it when get_account_summary lacks the
figure you need, and narrow it with key.""",
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
        description="""Current holdings: one entry per contract with quantity, cost and profit.

position is the number of shares or contracts (negative when short); average_cost is per unit
including commissions; market_value and the PnL figures already include the contract
multiplier (100 for most US options). Options also carry expiry, strike and right (C for call,
P for put). Sorted by asset class and symbol. The contract_id of a holding names it exactly
for place_order, e.g. to close it.""",
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

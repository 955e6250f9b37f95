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

Net liquidation value, cash, market value of positions, unrealized and realized PnL,
available funds, excess liquidity, buying power, leverage (null when IB did not report it).
Call it first to see how large the account is and how much it can still buy.

Details: Net liquidation value is what the account would be worth if everything were sold
now; excess liquidity is the margin cushion.""",
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

Hundreds of entries such as NetLiquidation, MaintMarginReq, SMA or CashBalance per currency:
for a figure get_account_summary lacks; narrow them with key.

Details: This is the full list behind the summary.""",
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

position is negative when short; average_cost is per unit with commissions; market_value and
PnL include the multiplier. Its contract_id names a holding for place_order, e.g. to close it.

Details: Options also carry expiry, strike and right (C for call, P for put); the multiplier
is 100 for most US options. Sorted by asset class and symbol.""",
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

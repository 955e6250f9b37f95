"""Account tools: summary, raw values, positions."""

from collections.abc import Callable
from typing import Annotated, Any

from pydantic import Field

from application.container import Services
from domain.account import AccountSummary
from entrypoints.mcp.params import AccountId
from entrypoints.mcp.schemas import AccountValueList, PositionList
from entrypoints.mcp.toolkit import READ_BROKER, ibkr_tool, to_result


def account_tools(services: Services) -> list[Callable[..., Any]]:
    account = services.account

    @ibkr_tool(annotations=READ_BROKER, output=AccountSummary, title="Account summary")
    async def get_account_summary(account_id: AccountId = None) -> dict[str, Any]:
        """Headline figures of the trading account: net liquidation value, cash, gross position
        value, unrealized and realized PnL, available funds, excess liquidity, buying power and
        leverage, in the account's base currency (null where IB sent no figure).

        Use it first to see how large the account is and how much it can still buy."""
        return to_result(await account.summary(account_id))

    @ibkr_tool(annotations=READ_BROKER, output=AccountValueList, title="Raw account values")
    async def get_account_values(
        account_id: AccountId = None,
        key: Annotated[
            str | None,
            Field(
                description="Only values whose key contains this text, case-insensitive, e.g. "
                "'Margin', 'CashBalance', 'NetLiquidation'. Omit for all (a long list)",
                max_length=64,
            ),
        ] = None,
    ) -> dict[str, Any]:
        """Every raw account value IB reports (key, value as text, currency), e.g. margin
        requirements, cash per currency, SMA.

        Use it when get_account_summary lacks the figure you need; filter with key."""
        values = await account.values(account_id, key)
        return to_result(AccountValueList(account_values=values, count=len(values)))

    @ibkr_tool(annotations=READ_BROKER, output=PositionList, title="Positions")
    async def get_positions(account_id: AccountId = None) -> dict[str, Any]:
        """Current holdings: contract id, symbol, quantity (negative = short), average cost,
        market price and value, unrealized/realized PnL, asset class and, for options, expiry,
        strike, right and multiplier. Market value and PnL include the multiplier.

        Use it to review the portfolio or before closing a position (contract_id identifies
        the holding exactly for place_order)."""
        positions = await account.positions(account_id)
        return to_result(PositionList(positions=positions, count=len(positions)))

    return [get_account_summary, get_account_values, get_positions]

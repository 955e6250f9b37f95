"""Account summary, raw account values and positions."""

from __future__ import annotations

import msgspec


class AccountSummary(msgspec.Struct, frozen=True, kw_only=True):
    """Headline figures of one account, in its base currency; null when IB did not send one."""

    account_id: str
    account_type: str | None = None
    net_liquidation_value: float | None = None
    total_cash_value: float | None = None
    gross_position_value: float | None = None
    unrealized_pnl: float | None = None
    realized_pnl: float | None = None
    available_funds: float | None = None
    excess_liquidity: float | None = None
    buying_power: float | None = None
    leverage: float | None = None
    currency: str | None = None


class AccountValue(msgspec.Struct, frozen=True, kw_only=True):
    """One raw account value as IB reports it (key, value text, currency)."""

    account_id: str
    key: str
    value: str
    currency: str = ""


class Position(msgspec.Struct, frozen=True, kw_only=True):
    """A holding; market value and PnL already include the contract multiplier."""

    contract_id: int
    symbol: str
    position: float
    average_cost: float
    market_price: float | None
    market_value: float | None
    unrealized_pnl: float | None
    realized_pnl: float | None
    asset_class: str
    expiry: str | None = None
    strike: float | None = None
    right: str | None = None
    multiplier: float = 1.0

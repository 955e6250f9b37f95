"""Account summary, raw account values, positions, portfolio and profit and loss."""

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


class PortfolioItem(msgspec.Struct, frozen=True, kw_only=True):
    """A holding as IB's portfolio reports it, priced at IB's mark; figures in its currency
    with the multiplier included, average cost per unit (commissions included)."""

    account_id: str
    contract_id: int
    symbol: str
    sec_type: str
    currency: str
    position: float
    market_price: float | None
    market_value: float | None
    average_cost: float
    unrealized_pnl: float | None
    realized_pnl: float | None
    expiry: str | None = None
    strike: float | None = None
    right: str | None = None
    multiplier: float = 1.0


class AccountPnl(msgspec.Struct, frozen=True, kw_only=True):
    """The account's profit and loss as IB computes it live, in the base currency."""

    account_id: str
    daily_pnl: float | None  # since the start of the trading day
    unrealized_pnl: float | None
    realized_pnl: float | None


class PositionPnl(msgspec.Struct, frozen=True, kw_only=True):
    """One contract's position and profit and loss as IB computes it live, in its currency."""

    account_id: str
    contract_id: int
    position: float
    daily_pnl: float | None
    unrealized_pnl: float | None
    realized_pnl: float | None
    market_value: float | None

"""The account as IB reports it: account-value rows and portfolio rows."""

from __future__ import annotations

from collections.abc import Callable

from adapters.simulated_gateway.model import AccountValue, PositionRow

from .account import PaperAccount
from .margin import BUYING_POWER_MULTIPLE, Mark, Valuation, holding_row_values


def _money(x: float) -> str:
    return f"{x:.2f}"


def account_values(
    account: PaperAccount, v: Valuation, fx: Callable[[str], float]
) -> list[AccountValue]:
    """The rows of reqAccountUpdates / reqAccountSummary, with BASE rows where IB has them."""
    base = account.base_currency
    net_liq = v.net_liquidation
    leverage = v.gross_position_value / net_liq if net_liq > 0 else 0.0
    cushion = v.excess_liquidity / net_liq if net_liq > 0 else 0.0
    money = {
        "NetLiquidation": net_liq,
        "TotalCashValue": v.cash,
        "SettledCash": v.cash,
        "AccruedCash": 0.0,
        "BuyingPower": max(v.available_funds, 0.0) * BUYING_POWER_MULTIPLE,
        "EquityWithLoanValue": v.equity_with_loan,
        "PreviousDayEquityWithLoanValue": v.equity_with_loan,
        "GrossPositionValue": v.gross_position_value,
        "RegTEquity": v.equity_with_loan,
        "RegTMargin": v.init_margin,
        "SMA": max(v.available_funds, 0.0),
        "InitMarginReq": v.init_margin,
        "MaintMarginReq": v.maint_margin,
        "AvailableFunds": v.available_funds,
        "ExcessLiquidity": v.excess_liquidity,
        "FullInitMarginReq": v.init_margin,
        "FullMaintMarginReq": v.maint_margin,
        "FullAvailableFunds": v.available_funds,
        "FullExcessLiquidity": v.excess_liquidity,
        "LookAheadInitMarginReq": v.init_margin,
        "LookAheadMaintMarginReq": v.maint_margin,
        "LookAheadAvailableFunds": v.available_funds,
        "LookAheadExcessLiquidity": v.excess_liquidity,
        "StockMarketValue": v.stock_value,
        "OptionMarketValue": v.option_value,
        "FuturesPNL": v.futures_pnl,
        "UnrealizedPnL": v.unrealized,
        "RealizedPnL": v.realized,
        "NetLiquidationByCurrency": net_liq,
    }
    rows = [
        AccountValue("AccountCode", account.account_id, ""),
        AccountValue("AccountType", "INDIVIDUAL", ""),
        AccountValue("AccountReady", "true", ""),
        AccountValue("Currency", base, base),
        AccountValue("Cushion", f"{cushion:.6f}", ""),
        AccountValue("DayTradesRemaining", "-1", ""),
        AccountValue("Leverage-S", f"{leverage:.4f}", ""),
        AccountValue("Leverage", f"{leverage:.4f}", ""),
        AccountValue("HighestSeverity", "0", ""),
        AccountValue("LookAheadNextChange", "0", ""),
    ]
    rows += [AccountValue(k, _money(x), base) for k, x in money.items()]
    # Per-currency rows plus IB's BASE aggregate for the cash and PnL families.
    for key, x in (
        ("NetLiquidationByCurrency", net_liq),
        ("UnrealizedPnL", v.unrealized),
        ("RealizedPnL", v.realized),
        ("AccruedCash", 0.0),
        ("TotalCashBalance", v.cash),
        ("CashBalance", v.cash),
    ):
        rows.append(AccountValue(key, _money(x), "BASE"))
    for ccy, amount in sorted(account.cash.items()):
        rows.append(AccountValue("CashBalance", _money(amount), ccy))
        rows.append(AccountValue("TotalCashBalance", _money(amount), ccy))
        rows.append(AccountValue("ExchangeRate", f"{fx(ccy):.6f}", ccy))
    rows.append(AccountValue("ExchangeRate", "1.00", "BASE"))
    return rows


def position_rows(account: PaperAccount, mark: Mark) -> list[PositionRow]:
    """One row per holding (closed ones stay, at zero, with their realized PnL, as at IB)."""
    out = []
    for h in account.holdings.values():
        price = mark(h.instrument)
        mv, pnl = holding_row_values(h, price)
        out.append(
            PositionRow(
                account=account.account_id,
                instrument=h.instrument,
                position=h.quantity,
                avg_cost=h.avg_cost,
                market_price=price,
                market_value=mv,
                unrealized_pnl=pnl,
                realized_pnl=h.realized,
            )
        )
    return out

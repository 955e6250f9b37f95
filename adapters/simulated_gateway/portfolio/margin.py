"""Margin requirements and the account's valuation, in the spirit of IB's Reg T rules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from adapters.simulated_gateway.model import Instrument

from .account import Holding, PaperAccount
from .commission import multiplier

# Intraday Reg T: 25% on longs (so buying power is 4x excess equity), a bit more on shorts.
LONG_STOCK, SHORT_STOCK, FUTURE, FX = 0.25, 0.30, 0.06, 0.03
BUYING_POWER_MULTIPLE = 4.0

Mark = Callable[[Instrument], float]  # price per unit (before the multiplier)


def requirement(inst: Instrument, quantity: float, price: float, under_price: float) -> float:
    """Initial margin (USD of the instrument's currency) for holding ``quantity``."""
    if quantity == 0:
        return 0.0
    mult = multiplier(inst)
    value = abs(quantity) * price * mult
    if inst.sec_type == "OPT":
        if quantity > 0:
            return 0.0  # long options are paid in full
        otm = (
            max(inst.strike - under_price, 0)
            if inst.right == "C"
            else max(under_price - inst.strike, 0)
        )
        floor = 0.10 * (under_price if inst.right == "C" else inst.strike)
        per = price + max(0.20 * under_price - otm, floor)
        return abs(quantity) * per * mult
    if inst.sec_type == "FUT":
        return value * FUTURE
    if inst.sec_type == "CASH":
        return value * FX
    return value * (LONG_STOCK if quantity > 0 else SHORT_STOCK)


@dataclass(frozen=True, slots=True)
class Valuation:
    cash: float
    stock_value: float
    option_value: float
    futures_pnl: float
    gross_position_value: float
    unrealized: float
    realized: float
    init_margin: float
    maint_margin: float

    @property
    def net_liquidation(self) -> float:
        return self.cash + self.stock_value + self.option_value + self.futures_pnl

    @property
    def equity_with_loan(self) -> float:
        return self.net_liquidation

    @property
    def available_funds(self) -> float:
        return self.equity_with_loan - self.init_margin

    @property
    def excess_liquidity(self) -> float:
        return self.equity_with_loan - self.maint_margin


def value_account(
    account: PaperAccount,
    mark: Mark,
    under_mark: Mark,
    fx: Callable[[str], float],
    extra: tuple[Instrument, float, float] | None = None,
) -> Valuation:
    """Value every holding at ``mark``; ``extra`` adds a hypothetical (instrument, qty, price)."""
    cash = sum(amount * fx(ccy) for ccy, amount in account.cash.items())
    stock = option = fut = gross = unreal = margin = 0.0
    holdings = [(h.instrument, h.quantity, h.avg_cost) for h in account.holdings.values()]
    by_id = {h.instrument.con_id: i for i, h in enumerate(account.holdings.values())}
    if extra is not None:
        inst, qty, price = extra
        mult = multiplier(inst)
        i = by_id.get(inst.con_id)
        if i is None:
            holdings.append((inst, qty, price * mult))
        else:
            held = holdings[i]
            holdings[i] = (inst, held[1] + qty, held[2])
        if inst.sec_type != "FUT":
            cash -= qty * price * mult * fx(inst.currency)
    for inst, qty, avg in holdings:
        if qty == 0:
            continue
        rate = fx(inst.currency)
        price = mark(inst)
        mv = qty * price * multiplier(inst) * rate
        pnl = mv - qty * avg * rate
        unreal += pnl
        if inst.sec_type == "FUT":
            fut += pnl
        else:
            gross += abs(mv)
            if inst.sec_type == "OPT":
                option += mv
            else:
                stock += mv
        under = under_mark(inst) if inst.sec_type == "OPT" else price
        margin += requirement(inst, qty, price, under) * rate
    return Valuation(
        cash=cash,
        stock_value=stock,
        option_value=option,
        futures_pnl=fut,
        gross_position_value=gross,
        unrealized=unreal,
        realized=sum(h.realized * fx(h.instrument.currency) for h in account.holdings.values()),
        init_margin=margin,
        maint_margin=margin * 0.9 if margin else 0.0,
    )


def holding_row_values(h: Holding, price: float) -> tuple[float, float]:
    """(market value, unrealized PnL) of one holding in its own currency."""
    mv = h.quantity * price * multiplier(h.instrument)
    return mv, mv - h.quantity * h.avg_cost

"""Price increments (IB's market rules): which prices an order may carry.

IB gives each contract one market rule per exchange (contract details' ``marketRuleIds``,
in the order of ``validExchanges``); a rule is a list of price levels, each with the tick
that applies from its low edge upwards. US stocks, for instance, move in 0.0001 below $1
and in 0.01 from $1. A limit price between two ticks is refused by IB (error 110); the
service refuses it first and names the two valid neighbours.
"""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

import msgspec

from domain.contract import Contract
from domain.errors import InvalidRequest


class PriceIncrement(msgspec.Struct, frozen=True, kw_only=True):
    """From ``low_edge`` upwards (to the next level's edge) prices move in ``increment``."""

    low_edge: float
    increment: float


class MarketRule(msgspec.Struct, frozen=True, kw_only=True):
    """One of IB's market rules and the exchanges of the contract that use it."""

    rule_id: int
    exchanges: list[str]
    increments: list[PriceIncrement]


class ContractMarketRules(msgspec.Struct, frozen=True, kw_only=True):
    """The price increments of a contract on each exchange it trades on."""

    contract_id: int
    symbol: str
    sec_type: str
    exchange: str  # where orders for the contract are routed (SMART, CME, ...)
    rules: list[MarketRule]


def rule_for(rules: list[MarketRule], *exchanges: str) -> MarketRule | None:
    """The rule of the first of ``exchanges`` that has one, else the first rule."""
    for exchange in exchanges:
        if not exchange:
            continue
        for rule in rules:
            if exchange.upper() in (e.upper() for e in rule.exchanges):
                return rule
    return rules[0] if rules else None


def increment_at(increments: list[PriceIncrement], price: float) -> float | None:
    """The tick at ``price``: that of the highest level whose low edge is at most the price."""
    levels = sorted(increments, key=lambda level: level.low_edge)
    tick = None
    for level in levels:
        if level.low_edge <= abs(price) + 1e-12:
            tick = level.increment
    if tick is None and levels:
        tick = levels[0].increment
    return tick if tick is not None and math.isfinite(tick) and tick > 0 else None


def neighbours(price: float, increment: float) -> tuple[str, str] | None:
    """The valid prices just below and above ``price``, or None when it is on a tick."""
    value, tick = Decimal(repr(float(price))), Decimal(repr(float(increment)))
    ratio = value / tick
    if ratio == ratio.to_integral_value():
        return None
    below = ratio.to_integral_value(rounding=ROUND_FLOOR) * tick
    above = ratio.to_integral_value(rounding=ROUND_CEILING) * tick
    return _text(below), _text(above)


def check_price(field: str, price: float, rule: MarketRule, contract: Contract) -> None:
    """Raise InvalidRequest naming the neighbouring valid prices unless ``price`` is on a tick."""
    tick = increment_at(rule.increments, price)
    if tick is None:
        return
    around = neighbours(price, tick)
    if around is None:
        return
    label = contract.local_symbol or contract.symbol or f"contract {contract.con_id}"
    raise InvalidRequest(
        f"{field} {_text(Decimal(repr(float(price))))} is not a multiple of "
        f"{_text(Decimal(repr(float(tick))))} at this price for {label} ({contract.sec_type}, "
        f"IB market rule {rule.rule_id}); {around[0]} or {around[1]}",
        field=field,
        accepted=list(around),
    )


def _text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text

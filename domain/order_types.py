"""Every order type in one table: the price fields it needs, may take, and its time in force.

A field not named by a type is refused for it (an MKT order with a limit_price is a mistake,
not a wish IB would honour). The table is the single source: validation, the 400 texts and
the documentation of each type all read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.errors import InvalidRequest

# The order's price-like fields, and the IB Order field each becomes.
PRICE_FIELDS = {
    "limit_price": "lmtPrice",
    "stop_price": "auxPrice",
    "trigger_price": "auxPrice",
    "trailing_amount": "auxPrice",
    "trailing_percent": "trailingPercent",
    "trail_stop_price": "trailStopPrice",
    "limit_offset": "lmtPriceOffset",
    "offset": "auxPrice",
}
TIME_IN_FORCE = ("DAY", "GTC", "IOC", "GTD", "OPG", "FOK")
_TRAIL = ("trailing_amount", "trailing_percent")


@dataclass(frozen=True, slots=True)
class OrderTypeRule:
    """What one order type is made of."""

    summary: str
    needs: tuple[tuple[str, ...], ...] = ()  # each group: exactly one of these fields
    may: tuple[str, ...] = ()  # optional fields
    # (given, then also needed): e.g. a TRAIL LIMIT's limit_price keeps its distance to a stop
    together: tuple[tuple[str, str], ...] = ()
    tifs: tuple[str, ...] = ("DAY", "GTC", "IOC", "GTD")
    algo: bool = False  # IB's algos (Adaptive, Twap, Vwap) work this type

    @property
    def allowed(self) -> tuple[str, ...]:
        return tuple(f for group in self.needs for f in group) + self.may


ORDER_TYPE_RULES: dict[str, OrderTypeRule] = {
    "MKT": OrderTypeRule(
        "market: fills at once at the best available price",
        tifs=("DAY", "GTC", "IOC", "GTD", "OPG", "FOK"),
        algo=True,
    ),
    "LMT": OrderTypeRule(
        "limit: fills at limit_price or better",
        needs=(("limit_price",),),
        tifs=("DAY", "GTC", "IOC", "GTD", "OPG", "FOK"),
        algo=True,
    ),
    "STP": OrderTypeRule(
        "stop: a market order once the price reaches stop_price",
        needs=(("stop_price",),),
    ),
    "STP LMT": OrderTypeRule(
        "stop-limit: a limit order at limit_price once the price reaches stop_price",
        needs=(("stop_price",), ("limit_price",)),
    ),
    "TRAIL": OrderTypeRule(
        "trailing stop: a stop that follows the best price by trailing_amount (or "
        "trailing_percent) and becomes a market order when the price turns back to it",
        needs=(_TRAIL,),
        may=("trail_stop_price",),
    ),
    "TRAIL LIMIT": OrderTypeRule(
        "trailing stop-limit: a trailing stop that becomes a limit order at the stop "
        "-/+ limit_offset (or at limit_price, which keeps its distance to trail_stop_price)",
        needs=(_TRAIL, ("limit_offset", "limit_price")),
        may=("trail_stop_price",),
        together=(("limit_price", "trail_stop_price"),),
    ),
    "MOC": OrderTypeRule("market-on-close: fills at the closing price", tifs=("DAY",)),
    "LOC": OrderTypeRule(
        "limit-on-close: fills at the closing price if that satisfies limit_price",
        needs=(("limit_price",),),
        tifs=("DAY",),
    ),
    "MIT": OrderTypeRule(
        "market-if-touched: a market order once the price touches trigger_price (a BUY "
        "below the market, a SELL above)",
        needs=(("trigger_price",),),
    ),
    "LIT": OrderTypeRule(
        "limit-if-touched: a limit order at limit_price once the price touches trigger_price",
        needs=(("trigger_price",), ("limit_price",)),
    ),
    "REL": OrderTypeRule(
        "relative (pegged to primary): works at the bid + offset to buy (ask - offset to "
        "sell), never beyond the optional limit_price cap",
        needs=(("offset",),),
        may=("limit_price",),
    ),
    "MIDPRICE": OrderTypeRule(
        "mid-price: works at the midpoint of bid and ask, never beyond the optional "
        "limit_price cap",
        may=("limit_price",),
    ),
}
ORDER_TYPES = tuple(ORDER_TYPE_RULES)


def _needs_text(kind: str, rule: OrderTypeRule) -> str:
    return f"{kind} orders need " + ", and ".join(" or ".join(g) for g in rule.needs)


def check_order_terms(kind: str, given: dict[str, Any], tif: str, algo: bool) -> None:
    """Raise InvalidRequest unless ``given`` (price field -> value or None) fits ``kind``."""
    rule = ORDER_TYPE_RULES[kind]
    present = {name for name, value in given.items() if value is not None}
    for group in rule.needs:
        chosen = [name for name in group if name in present]
        if not chosen:
            raise InvalidRequest(_needs_text(kind, rule), field=group[0])
        if len(chosen) > 1:
            raise InvalidRequest(
                f"{kind} orders take {' or '.join(group)}, not both", field=chosen[1]
            )
    for name, then in rule.together:
        if name in present and then not in present:
            raise InvalidRequest(f"{kind} orders with {name} also need {then}", field=then)
    for name in sorted(present - set(rule.allowed)):
        uses = f"; {kind} uses {', '.join(rule.allowed)}" if rule.allowed else ""
        raise InvalidRequest(f"{kind} orders take no {name}{uses}", field=name)
    if tif not in rule.tifs:
        raise InvalidRequest(
            f"{kind} orders accept time_in_force {', '.join(rule.tifs)}; got {tif}",
            field="time_in_force",
            accepted=list(rule.tifs),
        )
    if algo and not rule.algo:
        algo_types = [k for k, r in ORDER_TYPE_RULES.items() if r.algo]
        raise InvalidRequest(
            f"IB's algos work {' and '.join(algo_types)} orders, not {kind}",
            field="algo",
            accepted=algo_types,
        )


def describe_order_types(details: str = "") -> str:
    """The order_type field's documentation: each type with the fields it needs, then (after
    ``details``, the delimiter of the part only the REST documentation shows) what each
    type does."""
    brief, lines = [], []
    for kind, rule in ORDER_TYPE_RULES.items():
        name = rule.summary.split(":", 1)[0]
        terms = ", ".join(" or ".join(group) for group in rule.needs)
        may = f" (may {', '.join(rule.may)})" if rule.may else ""
        brief.append(f"{kind} {name}{': ' + terms if terms else ''}{may}")
        lines.append(f"{kind}: {rule.summary}")
    text = "The fields each type needs: " + "; ".join(brief)
    return text + details + ". ".join(lines) if details else text

"""IB's market rules as the simulated gateway knows them: price increments per price level.

Contract details name one rule per valid exchange (``marketRuleIds``); reqMarketRule (91)
answers a rule's levels (93). An order price between two ticks of its contract's rule is
refused with IB's error 110, as a real gateway refuses it.
"""

from __future__ import annotations

from decimal import Decimal

from adapters.simulated_gateway.model import Instrument, OrderRejected, OrderSpec

# rule id -> (low edge, increment) per level, lowest first.
RULES: dict[int, tuple[tuple[float, float], ...]] = {
    26: ((0.0, 0.0001), (1.0, 0.01)),  # US stocks and ETFs
    32: ((0.0, 0.01), (3.0, 0.05)),  # US equity options
    67: ((0.0, 0.25),),  # E-mini S&P 500 futures
    109: ((0.0, 0.01),),  # SPX index
    239: ((0.0, 0.00005),),  # EUR.USD on IDEALPRO
    558: ((0.0, 0.001), (10.0, 0.002), (50.0, 0.005), (100.0, 0.01)),  # XETRA stocks
}
TICK_REJECTION = "The price does not conform to the minimum price variation for this contract."
# Which order types carry a limit price (lmtPrice) and which a stop/trigger price (auxPrice).
_LIMIT_TYPES = ("LMT", "STP LMT", "LIT", "LOC")
_AUX_TYPES = ("STP", "STP LMT", "MIT", "LIT")


def rule_ids(inst: Instrument) -> dict[str, int]:
    """The contract's rule per exchange, from its contract details."""
    exchanges = inst.valid_exchanges.split(",")
    ids = [int(i) for i in inst.market_rule_ids.split(",") if i.strip()]
    return dict(zip(exchanges, ids, strict=False))


def rule_of(inst: Instrument) -> int | None:
    """The rule of the exchange the order is routed to (the first rule otherwise)."""
    by_exchange = rule_ids(inst)
    if inst.exchange in by_exchange:
        return by_exchange[inst.exchange]
    return next(iter(by_exchange.values()), None)


def increment(rule_id: int, price: float) -> float | None:
    levels = RULES.get(rule_id)
    if not levels:
        return None
    tick = levels[0][1]
    for low_edge, step in levels:
        if low_edge <= abs(price):
            tick = step
    return tick


def on_tick(price: float, tick: float) -> bool:
    ratio = Decimal(repr(float(price))) / Decimal(repr(float(tick)))
    return ratio == ratio.to_integral_value()


def check_ticks(spec: OrderSpec, inst: Instrument) -> None:
    """Raise IB's error 110 for a limit or stop price between two ticks."""
    rule_id = rule_of(inst)
    if rule_id is None:
        return
    prices = []
    if spec.order_type in _LIMIT_TYPES:
        prices.append(spec.lmt_price)
    if spec.order_type in _AUX_TYPES:
        prices.append(spec.aux_price)
    for price in prices:
        if price is None or price != price:
            continue
        tick = increment(rule_id, price)
        if tick is not None and not on_tick(price, tick):
            raise OrderRejected(110, TICK_REJECTION)

"""The order-type terms (trailing, triggers, offsets, algos) between the domain and ib_async.

IB reuses ``auxPrice`` for several meanings (stop, trigger, trailing amount, relative offset):
which one it is depends on the order type, as the domain's table says.
"""

from __future__ import annotations

from typing import Any

from ib_async import Order, TagValue

from domain.algos import AlgoTerms
from domain.order_types import ORDER_TYPE_RULES, PRICE_FIELDS
from domain.orders import OrderRequest

_TRAILING = ("TRAIL", "TRAIL LIMIT")


def apply_terms(order: Order, req: OrderRequest) -> None:
    """Copy the request's price terms and algo onto IB's order."""
    for name, value in req.price_terms().items():
        if value is not None:
            setattr(order, PRICE_FIELDS[name], value)
    if req.algo is not None:
        order.algoStrategy = req.algo.strategy
        order.algoParams = [TagValue(tag, value) for tag, value in req.algo.tag_values()]


def reported_terms(order: Order, number: Any) -> dict[str, Any]:
    """The domain's terms of an order IB reported (``number`` reads IB's unset markers)."""
    kind = order.orderType
    rule = ORDER_TYPE_RULES.get(kind)
    allowed = rule.allowed if rule is not None else ()
    aux = number(order.auxPrice)
    percent = number(order.trailingPercent)
    terms: dict[str, Any] = {
        "limit_price": number(order.lmtPrice) if "limit_price" in allowed else None,
        "stop_price": aux if kind in ("STP", "STP LMT") else None,
        "trigger_price": aux if kind in ("MIT", "LIT") else None,
        "trailing_amount": aux if kind in _TRAILING and percent is None else None,
        "trailing_percent": percent if kind in _TRAILING else None,
        "trail_stop_price": number(order.trailStopPrice) if kind in _TRAILING else None,
        "limit_offset": number(order.lmtPriceOffset) if kind == "TRAIL LIMIT" else None,
        "offset": aux if kind == "REL" else None,
        "algo": None,
    }
    if order.algoStrategy:
        params = {p.tag: str(p.value) for p in order.algoParams or []}
        terms["algo"] = AlgoTerms(strategy=order.algoStrategy, params=params)
    return terms

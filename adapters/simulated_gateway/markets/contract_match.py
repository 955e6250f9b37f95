"""How IB matches a client's partial contract against its listings."""

from __future__ import annotations

import re

from adapters.simulated_gateway.model import ContractQuery, Instrument

# IB still accepts the pre-2000s names of a few venues.
_ALIASES = {"ISLAND": "NASDAQ", "NYSEARCA": "ARCA", "GLOBEX": "CME"}
_OCC = re.compile(r"^(?P<root>[A-Z0-9]{1,6}) *(?P<ymd>\d{6})(?P<right>[CP])(?P<strike>\d{8})$")


def normalise_right(right: str) -> str:
    r = right.strip().upper()
    return {"CALL": "C", "PUT": "P", "?": "", "0": ""}.get(r, r)


def routable(inst: Instrument, exchange: str) -> bool:
    """Whether an order or request for ``exchange`` can reach this instrument."""
    ex = _ALIASES.get(exchange.upper(), exchange.upper())
    venues = {v.strip() for v in inst.valid_exchanges.split(",")}
    return ex in venues or ex in (inst.exchange, inst.primary_exchange)


def occ_parts(local_symbol: str) -> tuple[str, str, str, float] | None:
    """(trading class, YYYYMMDD, right, strike) from an OCC symbol like 'CCJ   260213C00120000'."""
    m = _OCC.match(local_symbol.strip().upper())
    if m is None:
        return None
    return m["root"], "20" + m["ymd"], m["right"], int(m["strike"]) / 1000.0


def _same_number(a: str, b: str) -> bool:
    try:
        return float(a) == float(b)
    except ValueError:
        return a == b


def matches(inst: Instrument, q: ContractQuery) -> bool:
    """Every field the client filled in must agree; empty fields match anything."""
    if q.symbol and q.symbol.upper() != inst.symbol:
        return False
    if q.sec_type and q.sec_type.upper() != inst.sec_type:
        return False
    if q.currency and q.currency.upper() != inst.currency:
        return False
    if q.exchange and not routable(inst, q.exchange):
        return False
    if q.primary_exchange:
        primary = _ALIASES.get(q.primary_exchange.upper(), q.primary_exchange.upper())
        if primary != inst.primary_exchange:
            return False
    if q.local_symbol and " ".join(q.local_symbol.split()) != " ".join(inst.local_symbol.split()):
        return False
    if q.trading_class and q.trading_class != inst.trading_class:
        return False
    # YYYYMM (a contract month) matches every date in that month.
    if q.last_trade_date and not inst.last_trade_date.startswith(q.last_trade_date):
        return False
    if q.strike and abs(q.strike - inst.strike) > 1e-6:
        return False
    right = normalise_right(q.right)
    if right and right != inst.right:
        return False
    return not (q.multiplier and not _same_number(q.multiplier, inst.multiplier))

"""Playing a missing market-data subscription for a request, by the rules the fault switch set
(``tws/subscription_faults.py``): IB's error for it, or its delayed-data warning."""

from __future__ import annotations

from typing import TYPE_CHECKING

from adapters.simulated_gateway.tws import messages as msg
from adapters.simulated_gateway.tws.subscription_faults import (
    DELAYED,
    HISTORY_TEXT,
    PARTIAL,
    REQUESTS,
    SCANNER_TEXT,
    TEXTS,
)

if TYPE_CHECKING:
    from adapters.simulated_gateway.tws.client import Client


def screen(session: Client, fields: list[str]) -> bool:
    """Play a missing subscription for this request: True when the request was answered here
    (refused), False when it is to be served (perhaps after a warning, with delayed data)."""
    rules = session.server.faults.subscriptions
    known = REQUESTS.get(fields[0])
    if not rules or known is None or known[0] not in rules:
        return False
    kind, position = known
    rule = rules[kind]
    try:
        req_id = int(fields[position])
        con_id = int(fields[position + 1] or 0) if kind != "scanner" else 0
    except (IndexError, ValueError):
        return False  # malformed: the handler answers 320
    found = session.world.by_con_id(con_id) if con_id else None
    symbol = found.symbol if found is not None else ""
    if kind != "scanner" and not symbol and len(fields) > position + 2:
        symbol = fields[position + 2].upper()
    if rule.symbols is not None and symbol not in rule.symbols:
        return False
    code = rule.code
    if code is None:
        delayed_asked = kind == "quotes" and session.market.requested_type in (3, 4)
        defaults = {"history": 162, "scanner": 162, "fundamentals": 430}
        code = DELAYED if delayed_asked else defaults.get(kind, 354)
    if code == 162:
        where = (
            f"{found.primary_exchange or found.exchange} {found.sec_type}"
            if found is not None
            else (fields[position + 3] if kind == "scanner" else symbol)  # the location code
        )
        text = (SCANNER_TEXT if kind == "scanner" else HISTORY_TEXT).format(where)
    else:
        text = TEXTS[code]
    session.send(msg.error(req_id, code, text))
    if code == DELAYED:
        session.market.delayed.add(req_id)
        return False
    return code != PARTIAL  # the rest of the data still flows

"""Domain queries from tool arguments, validated by msgspec exactly as the REST door does."""

from __future__ import annotations

from typing import Any

import msgspec

from domain.contract import ContractQuery

# Sec types IB routes through SMART; others (FUT, IND, CASH, ...) live on one exchange, so a
# missing exchange is left as a wildcard rather than guessed.
SMART_ROUTED = ("STK", "OPT")


def contract_query(
    contract_id: int | None, *, sec_type: str | None, **fields: Any
) -> ContractQuery:
    """A contract by id, or by symbol and friends: sec_type defaults to STK, and exchange to
    SMART for stocks and options."""
    if contract_id:
        return msgspec.convert({"con_id": contract_id}, ContractQuery)
    given = {name: value for name, value in fields.items() if value not in (None, "")}
    given["sec_type"] = sec_type or "STK"
    if given["sec_type"] in SMART_ROUTED:
        given.setdefault("exchange", "SMART")
    return msgspec.convert(given, ContractQuery)

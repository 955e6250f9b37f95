"""Domain queries from tool arguments, validated by msgspec exactly as the REST door does."""

from __future__ import annotations

from typing import Any

import msgspec

from domain.contract import ContractQuery, with_symbol_defaults


def contract_query(
    contract_id: int | None, *, sec_type: str | None, **fields: Any
) -> ContractQuery:
    """A contract by id, or by symbol and friends: sec_type defaults to STK, and exchange to
    SMART for stocks and options (the REST quote endpoint applies the same defaults)."""
    if contract_id:
        return msgspec.convert({"con_id": contract_id}, ContractQuery)
    given = {name: value for name, value in fields.items() if value not in (None, "")}
    if sec_type:
        given["sec_type"] = sec_type
    return msgspec.convert(with_symbol_defaults(given), ContractQuery)

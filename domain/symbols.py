"""Symbol search: IB's matching symbols (ContractDescription) for a partial name."""

from __future__ import annotations

import msgspec

# IB answers at most 16 descriptions per search.
MAX_MATCHES = 16


class SymbolMatch(msgspec.Struct, frozen=True, kw_only=True):
    """One instrument whose symbol or name matches, and the derivatives listed on it."""

    con_id: int
    symbol: str
    sec_type: str
    primary_exchange: str = ""
    currency: str = ""
    description: str = ""
    derivative_sec_types: list[str] = msgspec.field(default_factory=list)


class SymbolSearchResult(msgspec.Struct, frozen=True, kw_only=True):
    pattern: str
    matches: list[SymbolMatch]

"""Option chains: the chains an underlying has, and filters that pick contracts from one."""

from __future__ import annotations

from typing import Annotated

import msgspec
import msgspec.structs
from msgspec import UNSET, Meta, UnsetType

from domain.contract import Contract, normalise_right
from domain.errors import InvalidRequest
from domain.validation import check_expiry


class CandidateChain(msgspec.Struct, frozen=True, kw_only=True):
    """One option chain: an exchange and trading class with its expirations and strikes."""

    exchange: str
    underlying_con_id: str
    trading_class: str
    expirations: list[str]
    strikes: list[float]
    multiplier: str | UnsetType = UNSET


class ChainFilters(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Narrow a chain to the contracts wanted; every list is optional."""

    trading_class: Annotated[
        list[Annotated[str, Meta(max_length=32)]],
        Meta(
            max_length=20,
            description="Trading classes to keep, e.g. ['SPXW'] (weekly SPX)",
        ),
    ] = msgspec.field(default_factory=list)
    expirations: Annotated[
        list[str],
        Meta(
            max_length=50,
            description="Expiries to keep (YYYYMMDD), from a candidate chain",
        ),
    ] = msgspec.field(default_factory=list)
    strikes: Annotated[
        list[Annotated[float, Meta(gt=0)]],
        Meta(max_length=200, description="Strikes to keep, from a candidate chain"),
    ] = msgspec.field(default_factory=list)
    rights: Annotated[
        list[str],
        Meta(description="['C'] calls, ['P'] puts (CALL, PUT accepted); both when omitted"),
    ] = msgspec.field(default_factory=list)

    def __post_init__(self) -> None:
        for expiry in self.expirations:
            check_expiry(expiry, "filters.expirations")
        rights = [normalise_right(r, "filters.rights") for r in self.rights]
        msgspec.structs.force_setattr(self, "rights", rights)

    @property
    def narrows_contracts(self) -> bool:
        """True when a filter limits expirations, strikes or rights (what expands a chain)."""
        return bool(self.expirations or self.strikes or self.rights)


class OptionChainQuery(msgspec.Struct, frozen=True, kw_only=True):
    underlying_symbol: str
    underlying_sec_type: str = "STK"
    underlying_con_id: Annotated[int, Meta(ge=0)] = 0
    exchange: str = ""
    filters: ChainFilters | None = None

    def __post_init__(self) -> None:
        if not self.underlying_symbol.strip():
            raise InvalidRequest("underlying_symbol is required", field="underlying_symbol")


class OptionChainResult(msgspec.Struct, frozen=True, kw_only=True):
    """Option contracts when one chain and a filter were named; otherwise the candidate chains."""

    options_chain: list[Contract] | UnsetType = UNSET
    candidate_chains: list[CandidateChain] | UnsetType = UNSET
    # Set when the answer was cut to stay readable; says how to narrow the request.
    message: str | UnsetType = UNSET
    truncated: bool | UnsetType = UNSET
    # Set when options_chain is one page of more contracts (``limit``): how many in all, and
    # the ``cursor`` that reads the next ones.
    total: int | UnsetType = UNSET
    next_cursor: str | UnsetType = UNSET

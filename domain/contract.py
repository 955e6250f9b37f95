"""Contracts (IB's instrument descriptions) and the queries that find them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
import msgspec.structs
from msgspec import UNSET, Meta, UnsetType

from domain.errors import InvalidRequest
from domain.validation import check_choice, check_expiry

SEC_TYPES = (
    "STK",
    "OPT",
    "FUT",
    "IND",
    "FOP",
    "CASH",
    "CFD",
    "BOND",
    "WAR",
    "CMDTY",
    "CRYPTO",
    "FUND",
)
RIGHTS = ("C", "P")
_RIGHT_ALIASES = {"C": "C", "CALL": "C", "P": "P", "PUT": "P"}

ConId = Annotated[int, Meta(ge=0, description="IB contract id (conId); 0 when not qualified")]


def right_word(value: str) -> str:
    """'call' -> 'C', 'P' -> 'P'; anything else upper-cased, for validation to refuse."""
    word = value.strip().upper()
    return _RIGHT_ALIASES.get(word, word)


def normalise_right(value: str, field: str = "right") -> str:
    """'C'/'CALL' -> 'C', 'P'/'PUT' -> 'P', '' stays ''."""
    if not value:
        return ""
    right = _RIGHT_ALIASES.get(value.upper())
    if right is None:
        raise InvalidRequest(
            f"{field} must be C or P (CALL/PUT accepted); got {value!r}",
            field=field,
            accepted=list(RIGHTS),
        )
    return right


def friendly_option_symbol(symbol: str, expiry: str, strike: float, right: str) -> str:
    """Human label for an option, e.g. ``CCJ Feb13'26 120.0 CALL``."""
    when = datetime.strptime(expiry[:8], "%Y%m%d")
    word = "CALL" if right == "C" else "PUT"
    return f"{symbol} {when:%b}{when.day:02d}'{when:%y} {float(strike)} {word}"


class Contract(msgspec.Struct, frozen=True, kw_only=True):
    """A contract exactly as the API returns it (IB's Contract, in snake_case)."""

    sec_type: str
    con_id: int = 0
    symbol: str = ""
    last_trade_date_or_contract_month: str = ""
    strike: float = 0.0
    right: str = ""
    multiplier: str = ""
    exchange: str = ""
    primary_exchange: str = ""
    currency: str = ""
    local_symbol: str = ""
    # Only options carry a friendly symbol; absent (not null) for everything else.
    friendly_symbol: str | UnsetType = UNSET
    trading_class: str = ""
    include_expired: bool = False
    sec_id_type: str = ""
    sec_id: str = ""
    description: str = ""
    issuer_id: str = ""
    combo_legs_descrip: str = ""
    combo_legs: list[dict[str, Any]] = msgspec.field(default_factory=list)
    delta_neutral_contract: dict[str, Any] | None = None
    # IB's order size rules (contract details' minSize and sizeIncrement): the smallest order
    # and the step between order sizes. Absent when IB reports none; orders are then in whole
    # units (see domain.order_size).
    min_size: float | UnsetType = UNSET
    size_increment: float | UnsetType = UNSET


class ContractQuery(msgspec.Struct, frozen=True, kw_only=True):
    """What a caller knows about a contract; empty fields are wildcards."""

    con_id: ConId = 0
    symbol: str = ""
    sec_type: str = ""
    exchange: str = ""
    primary_exchange: str = ""
    currency: str = ""
    last_trade_date_or_contract_month: str = ""
    strike: Annotated[float, Meta(ge=0)] = 0.0
    right: str = ""
    multiplier: str = ""
    trading_class: str = ""
    local_symbol: str = ""

    def __post_init__(self) -> None:
        if not self.con_id and not self.symbol and not self.local_symbol:
            raise InvalidRequest(
                "Name the contract: give contract_id, or symbol with sec_type (e.g. AAPL, STK)",
                field="symbol",
            )
        if self.sec_type:
            check_choice(self.sec_type, SEC_TYPES, "sec_type")
        check_expiry(self.last_trade_date_or_contract_month, "last_trade_date_or_contract_month")
        if self.right:
            msgspec.structs.force_setattr(self, "right", normalise_right(self.right))
        if self.sec_type == "OPT" and self.strike < 0:
            raise InvalidRequest("strike must be positive", field="strike")

    @property
    def is_by_id(self) -> bool:
        return self.con_id > 0


class ContractDetailsResult(msgspec.Struct, frozen=True, kw_only=True):
    """Either one qualified contract, or the candidates when the query matches several."""

    qualified_contract: Contract | UnsetType = UNSET
    candidate_contracts: list[Contract] | UnsetType = UNSET


# Sec types IB routes through SMART; others (FUT, IND, CASH, ...) live on one exchange.
SMART_ROUTED = frozenset({"STK", "OPT"})


def with_symbol_defaults(fields: dict[str, Any]) -> dict[str, Any]:
    """Fill in what a caller naming an instrument by symbol usually means: a stock unless
    ``sec_type`` says otherwise, routed through SMART for stocks and options. Futures, indices
    and currencies live on one exchange, so a missing exchange stays a wildcard, not a guess."""
    completed = dict(fields)
    completed["sec_type"] = completed.get("sec_type") or "STK"
    if str(completed["sec_type"]).upper() in SMART_ROUTED:
        completed.setdefault("exchange", "SMART")
    return completed


# What identifies an instrument, as a caller may repeat it next to a contract_id. Routing
# fields (exchange, primary_exchange) are left out: an order may route a contract anywhere.
_IDENTITY_FIELDS = (
    "symbol",
    "sec_type",
    "currency",
    "last_trade_date_or_contract_month",
    "strike",
    "right",
    "multiplier",
    "trading_class",
    "local_symbol",
)


def conflicts_with(query: ContractQuery, contract: Contract) -> dict[str, tuple[Any, Any]]:
    """The identifying fields ``query`` gives that ``contract`` does not have, as
    ``{field: (given, actual)}``: a contract_id sent with another instrument's symbol must not
    silently win. An expiry given as a month matches the contract's day in that month."""
    differing: dict[str, tuple[Any, Any]] = {}
    for name in _IDENTITY_FIELDS:
        given = getattr(query, name)
        if not given:
            continue
        actual = getattr(contract, name)
        if name == "strike":
            same = abs(float(given) - float(actual)) < 1e-9
        elif name == "multiplier":
            same = _as_number(given) == _as_number(actual)
        elif name == "last_trade_date_or_contract_month":
            # A day must be the contract's; a month (YYYYMM) is not checked: IB's contract
            # month of a future can differ from the month of its last trade date (CL, ZN).
            same = len(str(given)) != 8 or str(actual).startswith(str(given))
        else:
            same = str(given).strip().upper() == str(actual).strip().upper()
        if not same:
            differing[name] = (given, actual)
    return differing


def _as_number(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text.strip().upper()


def describe_query(query: ContractQuery) -> str:
    """A short human description of what was asked for, for error messages."""
    if query.con_id:
        return f"contract_id {query.con_id}"
    parts = [query.symbol or query.local_symbol, query.sec_type, query.exchange, query.currency]
    parts += [query.last_trade_date_or_contract_month, query.right]
    if query.strike:
        parts.append(f"strike {query.strike:g}")
    return " ".join(p for p in parts if p)


_DISTINGUISHING = (
    "currency",
    "primary_exchange",
    "exchange",
    "last_trade_date_or_contract_month",
    "strike",
    "right",
    "trading_class",
    "multiplier",
    "sec_type",
)


def distinguishing_fields(candidates: list[Contract]) -> dict[str, list[str]]:
    """The fields whose values differ among candidates, with the values: what to add to a query."""
    fields: dict[str, list[str]] = {}
    for name in _DISTINGUISHING:
        values = sorted({str(getattr(c, name)) for c in candidates})
        if len(values) > 1:
            fields[name] = values
    return fields

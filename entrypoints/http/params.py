"""Query-string parsing the controllers share: JSON-valued parameters, id lists, contract queries.

Parsing only: every rule about what a valid query is lives in the domain models, which
``msgspec.convert`` runs (constraints and ``__post_init__``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import msgspec

from domain.contract import ContractQuery
from domain.errors import InvalidRequest

T = TypeVar("T")
# IB's contract and order ids are 32-bit signed integers.
MAX_ID = 2**31 - 1


class ContractOptions(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The ``options`` JSON of /ibkr/contract_details: IB's camelCase names or their snake twins."""

    lastTradeDateOrContractMonth: str | None = None
    last_trade_date_or_contract_month: str | None = None
    strike: float | None = None
    right: str | None = None
    tradingClass: str | None = None
    trading_class: str | None = None

    def query_fields(self) -> dict[str, Any]:
        pairs = {
            "last_trade_date_or_contract_month": (
                self.lastTradeDateOrContractMonth,
                self.last_trade_date_or_contract_month,
            ),
            "trading_class": (self.tradingClass, self.trading_class),
        }
        fields: dict[str, Any] = {"strike": self.strike, "right": self.right}
        for name, (camel, snake) in pairs.items():
            if camel is not None and snake is not None and camel != snake:
                raise InvalidRequest(
                    f"options gives {name} twice with different values ({camel!r}, {snake!r})",
                    field=f"options.{name}",
                )
            fields[name] = camel if camel is not None else snake
        return {name: value for name, value in fields.items() if value is not None}


def decode_json_param(text: str | None, type_: type[T], field: str, example: str) -> T | None:
    """A JSON object passed in one query parameter, decoded into ``type_`` (None when absent)."""
    if text is None or not text.strip():
        return None
    accepted = list(getattr(type_, "__struct_fields__", ()))
    try:
        return msgspec.json.decode(text, type=type_)
    except msgspec.ValidationError as exc:
        message, _, path = str(exc).partition(" - at `$")
        path = path.rstrip("`").lstrip(".")
        where = f"{field}.{path}" if path else field
        raise InvalidRequest(
            f"{where}: {message}; {field} accepts the keys {', '.join(accepted)}",
            field=where,
            accepted=accepted,
        ) from None
    except msgspec.DecodeError as exc:
        raise InvalidRequest(
            f"{field} must be a JSON object such as {example}; {exc}", field=field
        ) from None


def contract_options(text: str | None) -> dict[str, Any]:
    options = decode_json_param(
        text, ContractOptions, "options", '{"lastTradeDateOrContractMonth": "20260213"}'
    )
    return options.query_fields() if options else {}


def contract_ids(text: str) -> list[int]:
    """``1,2,3`` -> ``[1, 2, 3]``."""
    ids = []
    for item in text.split(","):
        if not item.strip():
            continue
        try:
            value = int(item)
            if not 0 < value <= MAX_ID:
                raise ValueError(item)
            ids.append(value)
        except ValueError:
            raise InvalidRequest(
                f"contract_ids must be comma-separated positive integers such as 265598,8314; "
                f"got {item.strip()!r}",
                field="contract_ids",
            ) from None
    return ids


def contract_query(
    contract_id: int | None,
    complete: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    **fields: Any,
) -> ContractQuery:
    """A contract by id, or by the given fields (empty values unset), passed through
    ``complete`` to fill in defaults when given."""
    if contract_id is not None:
        return msgspec.convert({"con_id": contract_id}, ContractQuery)
    given = {name: value for name, value in fields.items() if value not in (None, "")}
    return msgspec.convert(complete(given) if complete else given, ContractQuery)


def present(**values: Any) -> dict[str, Any]:
    """The keyword arguments that were given (not None): lets the domain defaults apply."""
    return {name: value for name, value in values.items() if value is not None}

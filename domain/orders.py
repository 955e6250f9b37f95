"""Orders: what a caller asks for, and what the broker says became of it."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
import msgspec.structs
from msgspec import UNSET, Meta, UnsetType

from domain.algos import Algo, AlgoTerms
from domain.contract import SEC_TYPES, ContractQuery, with_symbol_defaults
from domain.errors import InvalidRequest
from domain.order_types import ORDER_TYPES, PRICE_FIELDS, TIME_IN_FORCE, check_order_terms
from domain.validation import check_choice, check_good_till

__all__ = ["ORDER_TYPES", "TIME_IN_FORCE", "Algo"]
ACTIONS = ("BUY", "SELL")
_ORDER_TYPE_ALIASES = {
    "STP_LMT": "STP LMT",
    "STPLMT": "STP LMT",
    "MARKET": "MKT",
    "LIMIT": "LMT",
    "STOP": "STP",
    "STOP_LIMIT": "STP LMT",
    "STOP LIMIT": "STP LMT",
    "TRAIL_LIMIT": "TRAIL LIMIT",
    "TRAILING_STOP": "TRAIL",
    "TRAILING STOP": "TRAIL",
    "TRAILING_STOP_LIMIT": "TRAIL LIMIT",
    "MARKET_ON_CLOSE": "MOC",
    "LIMIT_ON_CLOSE": "LOC",
    "MARKET_IF_TOUCHED": "MIT",
    "LIMIT_IF_TOUCHED": "LIT",
    "RELATIVE": "REL",
    "MIDPOINT": "MIDPRICE",
}

Price = Annotated[float, Meta(gt=0, description="a price in the contract's currency")]
Offset = Annotated[float, Meta(ge=0, description="a price distance in the contract's currency")]
Percent = Annotated[float, Meta(gt=0, lt=100, description="a percentage, e.g. 1.5 for 1.5%")]
ClientOrderId = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=40,
        pattern=r"^[A-Za-z0-9._:-]+$",
        description="caller-chosen idempotency key; a retry with the same key returns the first order",
    ),
]
# IB order ids are 32-bit signed integers, and ib_async reads 2**31 - 1 as "unset": an order
# with that id is never sent, so its cancel would wait for an answer that cannot come.
MAX_ORDER_ID = 2**31 - 2


def order_type_word(value: str) -> str:
    """The canonical order type a caller meant ('limit' -> 'LMT', 'stp_lmt' -> 'STP LMT'); an
    unknown word comes back upper-cased, for validation to refuse."""
    word = " ".join(value.split()).upper()
    return _ORDER_TYPE_ALIASES.get(word, word)


# Final states: nothing more will happen to the order.
FINAL_STATUSES = frozenset({"Filled", "Cancelled", "ApiCancelled", "Inactive"})


class OrderRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An order to place. Name the contract by ``contract_id`` or by symbol and friends."""

    action: str
    quantity: Annotated[float, Meta(gt=0, description="number of shares/contracts, > 0")]
    order_type: str = "MKT"
    contract_id: Annotated[int, Meta(gt=0)] | None = None
    symbol: str | None = None
    sec_type: str | None = None
    exchange: str | None = None
    primary_exchange: str | None = None
    currency: str | None = None
    last_trade_date_or_contract_month: str | None = None
    strike: Price | None = None
    right: str | None = None
    multiplier: str | None = None
    trading_class: str | None = None
    limit_price: Price | None = None
    stop_price: Price | None = None
    # the order-type terms (domain/order_types.py says which type takes which)
    trigger_price: Price | None = None
    trailing_amount: Price | None = None
    trailing_percent: Percent | None = None
    trail_stop_price: Price | None = None
    limit_offset: Offset | None = None
    offset: Offset | None = None
    algo: Algo | None = None
    time_in_force: str = "DAY"
    # The contract's name for the good-till date; IB applies it only to GTD orders.
    tif: str | None = None
    good_till_date: str | None = None
    outside_rth: bool = False
    transmit: bool = True
    client_order_id: ClientOrderId | None = None
    account_id: str | None = None

    def __post_init__(self) -> None:
        order_type = self.order_type.strip().upper()
        order_type = _ORDER_TYPE_ALIASES.get(order_type, order_type)
        check_choice(order_type, ORDER_TYPES, "order_type")
        msgspec.structs.force_setattr(self, "order_type", order_type)
        action = self.action.strip().upper()
        check_choice(action, ACTIONS, "action")
        msgspec.structs.force_setattr(self, "action", action)
        tif_word = self.time_in_force.strip().upper()
        check_choice(tif_word, TIME_IN_FORCE, "time_in_force")
        msgspec.structs.force_setattr(self, "time_in_force", tif_word)
        if self.sec_type is not None:
            check_choice(self.sec_type, SEC_TYPES, "sec_type")
        if self.contract_id is None and not self.symbol:
            raise InvalidRequest(
                "Name the contract: give contract_id, or symbol (with sec_type, exchange, currency)",
                field="contract_id",
            )
        check_order_terms(order_type, self.price_terms(), tif_word, self.algo is not None)
        if self.good_till_date is not None:
            check_good_till(self.good_till_date, "good_till_date")
        if self.tif is not None:
            check_good_till(self.tif, "tif")
        if tif_word == "GTD" and not self.effective_good_till:
            raise InvalidRequest(
                "GTD orders need a good-till date: good_till_date (or tif) as 'YYYYMMDD HH:MM:SS'",
                field="good_till_date",
            )

    def price_terms(self) -> dict[str, float | None]:
        """The order's price fields by name (None where not given)."""
        return {name: getattr(self, name) for name in PRICE_FIELDS}

    @property
    def effective_good_till(self) -> str:
        """The good-till date IB receives: only for GTD orders, good_till_date before tif."""
        return (self.good_till_date or self.tif or "") if self.time_in_force == "GTD" else ""

    @property
    def ignored_fields_warnings(self) -> list[str]:
        """Fields the caller sent that IB will not act on, said out loud instead of dropped."""
        warnings = []
        if self.time_in_force != "GTD" and (self.tif or self.good_till_date):
            warnings.append(
                f"tif/good_till_date is applied only to GTD orders; this {self.time_in_force} "
                "order ignores it"
            )
        return warnings

    def contract_query(self) -> ContractQuery:
        """The contract this order names, as a query the contract service can resolve; by
        symbol with the same defaults as a quote (``with_symbol_defaults``)."""
        given: dict[str, Any] = {
            name: value
            for name, value in (
                ("symbol", self.symbol),
                ("sec_type", self.sec_type),
                ("exchange", self.exchange),
                ("primary_exchange", self.primary_exchange),
                ("currency", self.currency),
                ("last_trade_date_or_contract_month", self.last_trade_date_or_contract_month),
                ("strike", self.strike),
                ("right", self.right),
                ("multiplier", self.multiplier),
                ("trading_class", self.trading_class),
            )
            if value
        }
        if self.contract_id is not None:
            return ContractQuery(con_id=self.contract_id, **given)
        return ContractQuery(**with_symbol_defaults(given))


class OrderResult(msgspec.Struct, frozen=True, kw_only=True):
    """An order's state as the broker confirmed it."""

    order_id: int
    status: str
    filled_quantity: float = 0.0
    remaining_quantity: float = 0.0
    average_fill_price: float = 0.0
    last_fill_price: float = 0.0
    error_message: str | None = None
    perm_id: int | UnsetType = UNSET
    client_order_id: str | UnsetType = UNSET
    # True when an earlier request with the same client_order_id already placed this order.
    duplicate: bool | UnsetType = UNSET
    warnings: list[str] | UnsetType = UNSET

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


class CancelResult(msgspec.Struct, frozen=True, kw_only=True):
    order_id: int
    status: str
    message: str


class OpenOrder(msgspec.Struct, frozen=True, kw_only=True):
    """An order that is still working (or waiting) at the broker."""

    order_id: int
    perm_id: int
    client_id: int
    account_id: str
    contract_id: int
    symbol: str
    sec_type: str
    action: str
    order_type: str
    quantity: float
    limit_price: float | None
    stop_price: float | None
    time_in_force: str
    good_till_date: str | None
    outside_rth: bool
    status: str
    filled_quantity: float
    remaining_quantity: float
    average_fill_price: float
    client_order_id: str | None = None
    trigger_price: float | None = None
    trailing_amount: float | None = None
    trailing_percent: float | None = None
    # a trailing order's current stop, as IB moves it with the market
    trail_stop_price: float | None = None
    limit_offset: float | None = None
    offset: float | None = None
    algo: AlgoTerms | None = None


Side = Literal["BUY", "SELL"]

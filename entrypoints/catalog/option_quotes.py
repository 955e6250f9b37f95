"""Option chains with quotes and greeks, and IB's option calculators."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from application.services.option_quotes import OptionQuotesService
from domain.contract import right_word
from domain.errors import (
    AmbiguousContract,
    ContractNotFound,
    InvalidRequest,
    LinesExhausted,
    MarketDataUnavailable,
    NotSupported,
)
from domain.option_quotes import (
    MAX_CONTRACTS,
    MAX_EXPIRATIONS,
    MAX_VOLATILITY,
    ChainQuotesQuery,
    OptionCalculation,
    OptionChainQuotes,
)
from entrypoints.catalog.fields import MAX_ID, RightName, normalize, upper_words
from entrypoints.catalog.operation import BROKER_ERRORS, QUERY, Call, Operation, Rest, offered
from entrypoints.catalog.progress import tracked

ERRORS = (InvalidRequest, ContractNotFound, MarketDataUnavailable, LinesExhausted, NotSupported,
          *BROKER_ERRORS)  # fmt: skip
Price = Annotated[float, Meta(gt=0, lt=1e9)]
OptionId = Annotated[
    int, Meta(ge=1, le=MAX_ID, description="IB contract id of the option (get_options_chain)")
]
UnderlyingPrice = Annotated[
    Price | None, Meta(description="Underlying price to use; default: IB's current one")
]


class ChainQuotesInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    underlying_symbol: Annotated[
        str, Meta(min_length=1, max_length=32, description="Underlying symbol", examples=["AAPL"])
    ]
    underlying_sec_type: Annotated[
        Literal["STK", "IND", "FUT"],
        Meta(
            description="STK or IND (FUT: refused, FOP quotes not offered yet)",
            extra=normalize(upper_words),
        ),
    ] = "STK"
    underlying_con_id: Annotated[
        int, Meta(ge=0, le=MAX_ID, description="Underlying contract id; 0: from the symbol")
    ] = 0
    exchange: Annotated[str, Meta(max_length=32, description="The chain's exchange")] = "SMART"
    trading_class: Annotated[
        str, Meta(max_length=32, description="e.g. SPXW; default: the one named as the symbol")
    ] = ""
    expirations: Annotated[
        list[Annotated[str, Meta(pattern=r"^[0-9]{8}$")]],
        Meta(max_length=MAX_EXPIRATIONS, description="YYYYMMDD; default: the nearest"),
    ] = msgspec.field(default_factory=list)
    strike_min: Annotated[
        Annotated[float, Meta(gt=0)] | None, Meta(description="Lowest strike")
    ] = None
    strike_max: Annotated[
        Annotated[float, Meta(gt=0)] | None, Meta(description="Highest strike")
    ] = None
    right: Annotated[
        RightName | None, Meta(description="C or P; both if omitted", extra=normalize(right_word))
    ] = None
    max_distance_pct: Annotated[
        Annotated[float, Meta(gt=0, le=100)] | None,
        Meta(description="Strikes within this % of the underlying price"),
    ] = None
    limit: Annotated[int, Meta(ge=1, le=MAX_CONTRACTS, description="Per page")] = MAX_CONTRACTS
    cursor: Annotated[
        Annotated[str, Meta(max_length=40)] | None, Meta(description="next_cursor of a page")
    ] = None

    def query(self) -> ChainQuotesQuery:
        return ChainQuotesQuery(**{
            **msgspec.structs.asdict(self), "right": self.right or "",
        })  # fmt: skip


class ImpliedVolatilityInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    contract_id: OptionId
    option_price: Annotated[float, Meta(lt=1e9, description="Option price per share")]
    underlying_price: UnderlyingPrice = None


class OptionPriceInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    contract_id: OptionId
    volatility: Annotated[
        float,
        Meta(lt=1e9, description=f"Yearly, as a fraction: 0.25 = 25% (max {MAX_VOLATILITY:g})"),
    ]
    underlying_price: UnderlyingPrice = None


def _service(call: Call) -> OptionQuotesService:
    return offered(call.services.option_quotes, "option quotes and calculators")


OPERATIONS = (
    Operation(
        name="get_option_chain_quotes",
        title="Option chain with quotes and greeks",
        description=f"""Quotes and greeks of one option chain's contracts, chain order (expiry, strike, right).

Each contract: bid, ask, last, volume, open_interest, iv (model implied volatility, 0.25 =
25%), delta, gamma, vega (per vol point), theta (per day); underlying_price once. Filter by
expirations (default the nearest), strike_min/strike_max, right, max_distance_pct. At most
{MAX_CONTRACTS} contracts may match (else an error with the count); page with limit and
next_cursor.""",
        input=ChainQuotesInput,
        output=OptionChainQuotes,
        nature=QUERY,
        errors=(*ERRORS, AmbiguousContract),
        call=lambda q, c: tracked(c, "option quotes", _service(c).chain_quotes(q.query())),
        reports_progress=True,
        rest=Rest("/ibkr/options_chain/quotes", tag="contracts"),
    ),
    Operation(
        name="calculate_implied_volatility",
        title="Implied volatility of an option price",
        description="""IB's model: the implied volatility at which an option is worth option_price, with delta, gamma, vega and theta.""",
        input=ImpliedVolatilityInput,
        output=OptionCalculation,
        nature=QUERY,
        errors=ERRORS,
        call=lambda q, c: _service(c).implied_volatility(
            q.contract_id, q.option_price, q.underlying_price
        ),
        rest=Rest("/ibkr/options/{contract_id}/implied_volatility", tag="contracts"),
    ),
    Operation(
        name="calculate_option_price",
        title="Option price at a volatility",
        description="""IB's model: an option's price at a given volatility, with delta, gamma, vega and theta.""",
        input=OptionPriceInput,
        output=OptionCalculation,
        nature=QUERY,
        errors=ERRORS,
        call=lambda q, c: _service(c).option_price(q.contract_id, q.volatility, q.underlying_price),
        rest=Rest("/ibkr/options/{contract_id}/price", tag="contracts"),
    ),
)

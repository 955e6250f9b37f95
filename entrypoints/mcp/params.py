"""Tool parameters shared by several tools: types, constraints and descriptions an LLM reads.

No ``from __future__ import annotations`` in the tool modules: FastMCP reads these
``Annotated`` types at registration, and some constraints depend on ``build_mcp`` arguments.
"""

from typing import Annotated, Literal

from pydantic import Field

from domain.contract import SEC_TYPES
from domain.market_data import BAR_SIZES, WHAT_TO_SHOW
from domain.orders import ACTIONS, ORDER_TYPES, TIME_IN_FORCE

# Literal[tuple] expands to the tuple's members: the domain's lists stay the single source.
SecTypeName = Literal[SEC_TYPES]  # type: ignore[valid-type]
BarSizeName = Literal[BAR_SIZES]  # type: ignore[valid-type]
WhatToShowName = Literal[WHAT_TO_SHOW]  # type: ignore[valid-type]
OrderTypeName = Literal[ORDER_TYPES]  # type: ignore[valid-type]
ActionName = Literal[ACTIONS]  # type: ignore[valid-type]
TimeInForceName = Literal[TIME_IN_FORCE]  # type: ignore[valid-type]
RightName = Literal["C", "P"]

SEC_TYPE_HELP = (
    "IB security type: STK stock/ETF, OPT option, FUT future, IND index, FOP future option, "
    "CASH forex pair, CFD, BOND, WAR warrant, CMDTY commodity, CRYPTO, FUND mutual fund"
)
EXCHANGE_HELP = (
    "IB exchange code, e.g. SMART (IB's best-execution router; the usual choice), ISLAND, NYSE, "
    "ARCA, NASDAQ, CBOE, CME, GLOBEX, IDEALPRO (forex), LSE, FWB"
)

AccountId = Annotated[
    str | None,
    Field(
        description="IB account id such as DU1234567 (paper accounts start with D); "
        "omit for the connection's default account",
        max_length=32,
    ),
]
ContractId = Annotated[
    int | None,
    Field(
        gt=0,
        description="IB contract id (conId), e.g. 265598 for AAPL stock. The surest way to name "
        "a contract; get_contract_details finds it from a symbol",
    ),
]
Symbol = Annotated[
    str | None,
    Field(
        description="Ticker symbol of the contract or underlying, e.g. AAPL, SPX, EUR",
        max_length=32,
    ),
]
SecType = Annotated[SecTypeName | None, Field(description=SEC_TYPE_HELP)]
Exchange = Annotated[str | None, Field(description=EXCHANGE_HELP, max_length=32)]
PrimaryExchange = Annotated[
    str | None,
    Field(
        description="The listing exchange, to tell apart same-symbol stocks routed via SMART, "
        "e.g. NASDAQ, NYSE, ARCA, FWB2",
        max_length=32,
    ),
]
Currency = Annotated[
    str | None,
    Field(description="ISO currency code of the contract, e.g. USD, EUR, GBP", max_length=8),
]
Expiry = Annotated[
    str | None,
    Field(
        description="Options/futures only: expiry as YYYYMMDD (or contract month YYYYMM)",
        pattern=r"^\d{6}(\d{2})?$",
    ),
]
Strike = Annotated[
    float | None,
    Field(gt=0, description="Options only: strike price in the contract's currency"),
]
Right = Annotated[RightName | None, Field(description="Options only: C for call, P for put")]
TradingClass = Annotated[
    str | None,
    Field(
        description="Options/futures only: trading class, e.g. SPXW for weekly SPX options",
        max_length=32,
    ),
]
Multiplier = Annotated[
    str | None,
    Field(description="Options/futures only: contract multiplier, e.g. 100", max_length=16),
]

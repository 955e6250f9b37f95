"""Orders that belong together: bracket orders (entry, take-profit, stop-loss) and their
preview. Every order of a group goes through the order desk's rules, as the caller the door
names (``application/services/group_desk.py``)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from application.services.group_desk import GroupDesk
from domain.brackets import MAX_GROUP_KEY, BracketRequest, BracketResult, PriceTarget
from domain.errors import InvalidConfirmation, PreviewRequired
from domain.group_preview import BracketPreview
from domain.orders import OrderRequest
from entrypoints.catalog.fields import (
    AccountId,
    Action,
    ContractId,
    Currency,
    Exchange,
    Expiry,
    Multiplier,
    Positive,
    PrimaryExchange,
    Right,
    SecType,
    Strike,
    Symbol,
    TradingClass,
)
from entrypoints.catalog.operation import ORDER, PREVIEW, Call, Mcp, Operation, Rest, offered
from entrypoints.catalog.orders import (
    CONFIRMATION_TOKEN,
    IDEMPOTENCY_KEY,
    KEY_FORMAT,
    KEY_PATTERN,
    ORDER_ERRORS,
)


class TargetInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Exactly one of: an absolute price, an offset from the entry price (in the contract's
    currency), or a percentage of the entry price."""

    price: Annotated[Positive | None, Meta(description="The exit's price", examples=[160.0])] = None
    offset: Annotated[
        Positive | None, Meta(description="Distance from the entry price, e.g. 1.5 (USD)")
    ] = None
    percent: Annotated[
        Annotated[float, Meta(gt=0, lt=100)] | None,
        Meta(description="Distance from the entry price in percent, e.g. 1 for 1 %"),
    ] = None

    def target(self) -> PriceTarget:
        return PriceTarget(price=self.price, offset=self.offset, percent=self.percent)


class BracketInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A bracket: an entry (MKT, or LMT with limit_price) of quantity on one instrument, a
    stop-loss and optionally a take-profit, each as a price, an offset or a percentage from
    the entry price (for a MKT entry: the current market price)."""

    action: Action
    quantity: Annotated[
        float,
        Meta(gt=0, le=1e9, description="Shares or contracts of the entry (and of each exit)",
             examples=[100]),
    ]  # fmt: skip
    order_type: Annotated[
        Literal["MKT", "LMT"], Meta(description="The entry's type: MKT or LMT (with limit_price)")
    ] = "MKT"
    limit_price: Annotated[
        Positive | None, Meta(description="The entry's limit price (LMT)", examples=[150.0])
    ] = None
    take_profit: Annotated[
        TargetInput | None,
        Meta(description="The take-profit (a limit order on the other side); omit it for an "
             "entry with only an attached stop-loss", examples=[{"percent": 1}]),
    ] = None  # fmt: skip
    stop_loss: Annotated[
        TargetInput,
        Meta(description="The stop-loss (a stop order on the other side)",
             examples=[{"percent": 1}]),
    ]  # fmt: skip
    exit_time_in_force: Annotated[
        Literal["DAY", "GTC"],
        Meta(description="How long the exits work once the entry filled (the entry is DAY)"),
    ] = "GTC"
    contract_id: ContractId = None
    symbol: Symbol = None
    sec_type: SecType = None
    exchange: Exchange = None
    primary_exchange: PrimaryExchange = None
    currency: Currency = None
    last_trade_date_or_contract_month: Expiry = None
    strike: Strike = None
    right: Right = None
    multiplier: Multiplier = None
    trading_class: TradingClass = None
    client_order_id: Annotated[
        Annotated[str, Meta(min_length=1, max_length=MAX_GROUP_KEY, pattern=KEY_PATTERN)] | None,
        Meta(
            description="Your idempotency key for the whole bracket (the entry carries it, the "
            "exits it plus :tp and :sl). A retry with the same key and bracket answers the "
            "bracket already placed; the same key with another bracket is refused",
            examples=["aapl-bracket-1"],
            extra={"format": KEY_FORMAT},
        ),
    ] = None
    account_id: AccountId = None

    def bracket(self) -> BracketRequest:
        entry = OrderRequest(
            action=self.action,
            quantity=self.quantity,
            order_type=self.order_type,
            limit_price=self.limit_price,
            contract_id=self.contract_id,
            symbol=self.symbol,
            sec_type=self.sec_type,
            exchange=self.exchange,
            primary_exchange=self.primary_exchange,
            currency=self.currency,
            last_trade_date_or_contract_month=self.last_trade_date_or_contract_month,
            strike=self.strike,
            right=self.right,
            multiplier=self.multiplier,
            trading_class=self.trading_class,
            client_order_id=self.client_order_id,
            account_id=self.account_id,
        )
        return BracketRequest(
            entry=entry,
            stop_loss=self.stop_loss.target(),
            take_profit=self.take_profit.target() if self.take_profit else None,
            exit_time_in_force=self.exit_time_in_force,
        )


def desk(call: Call) -> GroupDesk:
    return offered(call.services.groups, "bracket orders")


async def _preview(body: BracketInput, call: Call) -> BracketPreview:
    return await desk(call).preview_bracket(body.bracket(), call.caller)


async def _place(body: BracketInput, call: Call) -> BracketResult:
    return await desk(call).place_bracket(
        body.bracket(),
        call.caller,
        idempotency_key=call.extras.get("idempotency_key"),
        confirmation_token=call.extras.get("confirmation_token"),
    )


GROUP_ERRORS = (*ORDER_ERRORS, PreviewRequired, InvalidConfirmation)
OPERATIONS = (
    Operation(
        name="preview_bracket_order",
        title="Preview a bracket order (what-if)",
        description="""Ask IB what a bracket order would cost, WITHOUT placing it.

Takes exactly the bracket of place_bracket_order. Answers each order's what-if (entry,
take-profit, stop-loss, with the prices the exits would get), the bracket's commission (the
entry's plus the dearest exit's: only one exit can fill), the entry's margin impact, and a
single-use confirmation_token for place_bracket_order. Guardrails apply to every order.""",
        input=BracketInput,
        output=BracketPreview,
        nature=PREVIEW,
        errors=GROUP_ERRORS,
        call=_preview,
        rest=Rest("/ibkr/orders/bracket/preview", tag="orders", method="POST"),
        mcp=Mcp(same_input_as="place_bracket_order"),
    ),
    Operation(
        name="place_bracket_order",
        title="Place a bracket order",
        description="""Place a REAL bracket: an entry order with a take-profit and a stop-loss that close the position again.

The entry (BUY or SELL, MKT or LMT) is the parent; the exits are its children on the other
side: a LMT take-profit and a STP stop-loss, given as price, offset or percent from the entry
price. IB holds the exits (PreSubmitted) until the entry fills, then works them as one
one-cancels-all group: when one fills, IB cancels the other. Leave out take_profit for an
entry with only an attached stop. Answers the three orders as IB acknowledged them (ids,
statuses) and the OCA group's name.

Set client_order_id: a retry with it answers the bracket already placed, never a second one.
Guardrails apply to every order (the order value is the entry's); when previews are required,
call preview_bracket_order with the same bracket first and give its confirmation_token.""",
        input=BracketInput,
        output=BracketResult,
        nature=ORDER,
        errors=GROUP_ERRORS,
        call=_place,
        rest=Rest("/ibkr/orders/bracket", tag="orders"),
        extras=(IDEMPOTENCY_KEY, CONFIRMATION_TOKEN),
    ),
)

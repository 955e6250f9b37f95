"""Decoding ib_async's placeOrder message (id 3, no version field) at server version 178.

The message is positional with optional sections (combo legs, delta-neutral, scale, hedge,
algo, conditions), so it is read by walking the same conditions the client used to write it.
"""

from __future__ import annotations

from dataclasses import dataclass

from adapters.simulated_gateway.model import ContractQuery
from adapters.simulated_gateway.tws.wire import FieldReader

# How many fields each order condition type writes after its condType field.
_CONDITION_FIELDS = {1: 6, 3: 3, 4: 3, 5: 4, 6: 5, 7: 5}
_UNSET_DOUBLE = 1.7976931348623157e308


@dataclass(slots=True)
class PlaceOrderRequest:
    order_id: int
    contract: ContractQuery
    action: str
    total_quantity: float
    order_type: str
    lmt_price: float | None
    aux_price: float | None
    tif: str
    account: str
    order_ref: str
    transmit: bool
    parent_id: int
    outside_rth: bool
    good_till_date: str
    what_if: bool
    trailing_percent: float | None = None
    trail_stop_price: float | None = None
    lmt_price_offset: float | None = None
    algo_strategy: str = ""
    algo_params: tuple[tuple[str, str], ...] = ()
    oca_group: str = ""
    oca_type: int = 0


def _skip_tag_values(reader: FieldReader) -> None:
    count = reader.integer()
    reader.skip(2 * count)


def read_place_order(fields: list[str]) -> PlaceOrderRequest:
    """Parse a placeOrder message (fields[0] == "3"); raises IndexError/ValueError if malformed."""
    r = FieldReader(fields, 1)
    order_id = r.integer()
    contract = r.contract()
    r.skip(2)  # secIdType, secId
    action = r.text()
    total_quantity = r.number() or 0.0
    order_type = r.text()
    lmt_price = r.number()
    aux_price = r.number()
    tif = r.text()
    oca_group = r.text()
    account = r.text()
    r.skip(2)  # openClose, origin
    order_ref = r.text()
    transmit = r.flag()
    parent_id = r.integer()
    r.skip(4)  # blockOrder, sweepToFill, displaySize, triggerMethod
    outside_rth = r.flag()
    r.skip(1)  # hidden
    if contract.sec_type == "BAG":
        legs = r.integer()
        r.skip(8 * legs)
        order_legs = r.integer()
        r.skip(order_legs)
        _skip_tag_values(r)  # smartComboRoutingParams
    r.skip(3)  # deprecated sharesAllocation, discretionaryAmt, goodAfterTime
    good_till_date = r.text()
    # faGroup, faMethod, faPercentage (no faProfile from 177 on), modelCode, shortSaleSlot,
    # designatedLocation, exemptCode; ocaType; rule80A .. volatilityType
    r.skip(3 + 4)
    oca_type = r.integer() or 0
    r.skip(17)
    delta_neutral_type = r.text()
    r.skip(1)  # deltaNeutralAuxPrice
    if delta_neutral_type:
        r.skip(8)
    r.skip(2)  # continuousUpdate, referencePriceType
    trail_stop_price = r.number()
    trailing_percent = r.number()
    r.skip(2)  # scaleInitLevelSize, scaleSubsLevelSize
    increment = r.number()
    if increment is not None and 0 < increment < _UNSET_DOUBLE:
        r.skip(7)
    r.skip(3)  # scaleTable, activeStartTime, activeStopTime
    if r.text():  # hedgeType
        r.skip(1)
    r.skip(4)  # optOutSmartRouting, clearingAccount, clearingIntent, notHeld
    if r.flag():  # delta-neutral contract present
        r.skip(3)
    algo_strategy = r.text()
    algo_params: list[tuple[str, str]] = []
    if algo_strategy:
        for _ in range(r.integer()):
            algo_params.append((r.text(), r.text()))
    r.skip(1)  # algoId
    what_if = r.flag()
    r.skip(4)  # orderMiscOptions, solicited, randomizeSize, randomizePrice
    if order_type in ("PEG BENCH", "PEGBENCH"):
        r.skip(5)
    conditions = r.integer()
    for _ in range(conditions):
        r.skip(_CONDITION_FIELDS.get(r.integer(), 0))
    if conditions:
        r.skip(2)  # conditionsIgnoreRth, conditionsCancelOrder
    r.skip(2)  # adjustedOrderType, triggerPrice
    lmt_price_offset = r.number()
    return PlaceOrderRequest(
        order_id=order_id,
        contract=contract,
        action=action,
        total_quantity=total_quantity,
        order_type=order_type,
        lmt_price=lmt_price,
        aux_price=aux_price,
        tif=tif,
        account=account,
        order_ref=order_ref,
        transmit=transmit,
        parent_id=parent_id,
        outside_rth=outside_rth,
        good_till_date=good_till_date,
        what_if=what_if,
        trailing_percent=trailing_percent,
        trail_stop_price=trail_stop_price,
        lmt_price_offset=lmt_price_offset,
        algo_strategy=algo_strategy,
        algo_params=tuple(algo_params),
        oca_group=oca_group,
        oca_type=oca_type,
    )

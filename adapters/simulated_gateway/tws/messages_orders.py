"""Server -> client messages about orders, executions and commissions (version 178).

OPEN_ORDER and COMPLETED_ORDER are long positional templates; only plain orders exist in the
simulator, so every conditional section (combo legs, scale, hedge, conditions, delta neutral)
is written as "absent"; an order's algo and trailing terms are written as IB reports them. The field order follows ib_async's decoder.
"""

from __future__ import annotations

from datetime import UTC

from adapters.simulated_gateway.model import Fill, Instrument, OrderRecord, OrderSpec, WhatIf
from adapters.simulated_gateway.tws.messages import Fields
from adapters.simulated_gateway.tws.wire import UNSET_DOUBLE_TEXT, fmt_float

ORDER_STATUS = "3"
OPEN_ORDER = "5"
EXECUTION_DATA = "11"
OPEN_ORDER_END = "53"
EXECUTION_DATA_END = "55"
COMMISSION_REPORT = "59"
COMPLETED_ORDER = "101"
COMPLETED_ORDERS_END = "102"


def _price(value: float | None) -> str:
    return fmt_float(value) if value is not None else ""


def _contract_11(inst: Instrument) -> list[str]:
    # the order messages' contract: no primaryExchange
    return [
        str(inst.con_id),
        inst.symbol,
        inst.sec_type,
        inst.last_trade_date,
        fmt_float(inst.strike) or "0",
        inst.right,
        inst.multiplier,
        inst.exchange,
        inst.currency,
        inst.local_symbol,
        inst.trading_class,
    ]


def order_status(
    order_id: int,
    record: OrderRecord,
    *,
    status: str | None = None,
    filled: float | None = None,
    avg_fill_price: float | None = None,
    last_fill_price: float | None = None,
) -> Fields:
    """ORDER_STATUS for the order's owner (clientId must be the owner's for ib_async to match)."""
    spec = record.spec
    done = record.filled if filled is None else filled
    return [
        ORDER_STATUS,
        str(order_id),
        status or record.status,
        fmt_float(done) or "0",
        fmt_float(max(spec.total_quantity - done, 0.0)) or "0",
        fmt_float(record.avg_fill_price if avg_fill_price is None else avg_fill_price) or "0",
        str(record.perm_id),
        str(spec.parent_id),
        fmt_float(record.last_fill_price if last_fill_price is None else last_fill_price) or "0",
        str(spec.client_id),
        record.why_held,
        "0",  # mktCapPrice
    ]


def _what_if_state(what_if: WhatIf | None) -> list[str]:
    # 9 margin strings, commission, min/max commission, currency, warning text
    if what_if is None:
        return ["", "", "", "", "", "", "", "", "", "", "", "", "", ""]
    w = what_if
    return [
        w.init_margin_before,
        w.maint_margin_before,
        w.equity_with_loan_before,
        w.init_margin_change,
        w.maint_margin_change,
        w.equity_with_loan_change,
        w.init_margin_after,
        w.maint_margin_after,
        w.equity_with_loan_after,
        fmt_float(w.commission),
        fmt_float(w.min_commission),
        fmt_float(w.max_commission),
        w.commission_currency,
        w.warning_text,
    ]


def open_order(
    order_id: int,
    spec: OrderSpec,
    instrument: Instrument,
    *,
    perm_id: int,
    status: str,
    account: str,
    what_if: WhatIf | None = None,
) -> Fields:
    """OPEN_ORDER for a plain order: 127 fields. A what-if reply carries the margin strings."""
    fields = [OPEN_ORDER, str(order_id), *_contract_11(instrument)]
    fields += (
        spec.action,
        fmt_float(spec.total_quantity),
        spec.order_type,
        _price(spec.lmt_price),
        _price(spec.aux_price),
        spec.tif,
        "",  # ocaGroup
        spec.account or account,
        "",  # openClose
        "0",  # origin: customer
        spec.order_ref,
        str(spec.client_id),
        str(perm_id),
        "1" if spec.outside_rth else "0",
        "0",  # hidden
        "0",  # discretionaryAmt
        "",  # goodAfterTime
        "",  # sharesAllocation (ignored by the client)
        "",  # faGroup
        "",  # faMethod
        "",  # faPercentage
    )
    # modelCode .. deltaNeutralAuxPrice
    fields += ("", spec.good_till_date, "", "", "", "0", "", "-1", "0", "", "", "", "", "")
    fields += ("0", "0", "0", "0", "", "0", "0", "0", "", str(spec.parent_id), "0", "", "0")
    fields += ("", "")
    # continuousUpdate .. comboLegsDescrip, then empty leg / order-leg / routing-param lists
    trail = (_price(spec.trail_stop_price), _price(spec.trailing_percent))
    fields += ("0", "0", *trail, "", "", "", "0", "0", "0")
    # scale sizes and increment, hedgeType, optOutSmartRouting .. notHeld, no delta neutral, algo
    fields += ("", "", "", "", "0", "", "", "0", "0", *_algo(spec))
    fields += ("0", "1" if what_if is not None else "0", status, *_what_if_state(what_if))
    fields += ("0", "0", "0")  # randomizeSize, randomizePrice, no conditions
    # adjustedOrderType .. usePriceMgmtAlgo (16)
    fields += ("", "", trail[0], _price(spec.lmt_price_offset), "", "", "", "0", "", "", "")
    fields += ("", "0", "0", "0", "0")
    # duration, postToAts, autoCancelParent, minTradeQty .. midOffsetAtHalf
    fields += ("", "", "0", "", "", "", "", "")
    return fields


def _algo(spec: OrderSpec) -> list[str]:
    """algoStrategy, then (when set) the parameter count and tag/value pairs."""
    if not spec.algo_strategy:
        return [""]
    pairs = [text for pair in spec.algo_params for text in pair]
    return [spec.algo_strategy, str(len(spec.algo_params)), *pairs]


def open_order_end() -> Fields:
    return [OPEN_ORDER_END, "1"]


def completed_order(record: OrderRecord, *, account: str, completed_time: str) -> Fields:
    """COMPLETED_ORDER: no order id or client id; the client keys these by permId."""
    spec = record.spec
    fields = [COMPLETED_ORDER, *_contract_11(record.instrument)]
    fields += (
        spec.action,
        fmt_float(spec.total_quantity),
        spec.order_type,
        _price(spec.lmt_price),
        _price(spec.aux_price),
        spec.tif,
        "",  # ocaGroup
        spec.account or account,
        "",  # openClose
        "0",  # origin
        spec.order_ref,
        str(record.perm_id),
        "1" if spec.outside_rth else "0",
        "0",  # hidden
        "0",  # discretionaryAmt
        "",  # goodAfterTime
        "",  # faGroup
        "",  # faMethod
        "",  # faPercentage
    )
    # modelCode .. deltaNeutralAuxPrice (23)
    fields += ("", spec.good_till_date, "", "", "", "0", "", "-1", "", "", "", "", "")
    fields += ("0", "0", "0", "", "0", "0", "", "0", "", "")
    # continuousUpdate .. comboLegsDescrip, empty lists, scale, hedgeType
    fields += ("0", "0", "", "", "", "0", "0", "0", "", "", "", "")
    fields += ("", "", "0", "0", "")  # clearing account/intent, notHeld, no dnc, no algo
    fields += ("0", record.status, "0", "0", "0")  # solicited, status, randomize x2, no conditions
    # trailStopPrice .. parentPermId, then completedTime and completedStatus
    fields += ("", "", "", "0", "0", "", fmt_float(record.filled) or "0", "0", "0", "", "0", "0")
    fields += ("0", completed_time, record.status)
    fields += ("", "", "", "", "")  # minTradeQty .. midOffsetAtHalf
    return fields


def completed_orders_end() -> Fields:
    return [COMPLETED_ORDERS_END]


def execution_data(req_id: int, order_id: int, fill: Fill) -> Fields:
    """EXECUTION_DATA: 32 fields at version 178 (pendingPriceRevision is the last)."""
    return [
        EXECUTION_DATA,
        str(req_id),
        str(order_id),
        *_contract_11(fill.instrument),
        fill.exec_id,
        fill.time.astimezone(UTC).strftime("%Y%m%d %H:%M:%S UTC"),
        fill.account,
        fill.instrument.primary_exchange or fill.instrument.exchange,
        fill.side,
        fmt_float(fill.shares),
        fmt_float(fill.price),
        str(fill.perm_id),
        str(fill.client_id),
        "0",  # liquidation
        fmt_float(fill.cum_qty),
        fmt_float(fill.avg_price),
        fill.order_ref,
        "",  # evRule
        "",  # evMultiplier
        "",  # modelCode
        "1",  # lastLiquidity: added liquidity
        "0",  # pendingPriceRevision
    ]


def execution_data_end(req_id: int) -> Fields:
    return [EXECUTION_DATA_END, "1", str(req_id)]


def commission_report(fill: Fill) -> Fields:
    """COMMISSION_REPORT: exactly 8 fields; IB writes "no realized P&L" as the unset double."""
    pnl = fill.realized_pnl
    return [
        COMMISSION_REPORT,
        "1",
        fill.exec_id,
        fmt_float(fill.commission) or "0",
        fill.commission_currency,
        UNSET_DOUBLE_TEXT if pnl != pnl else fmt_float(pnl),
        UNSET_DOUBLE_TEXT,  # yield
        "0",  # yieldRedemptionDate
    ]

"""The one place that turns ib_async objects into domain models and back.

IB marks "no value" in several ways (NaN, -1 for a missing bid/ask, UNSET_DOUBLE = 1.79e308,
empty strings); the domain says ``None``. Every such rule lives here.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from datetime import date, datetime
from typing import Any
from xml.etree import ElementTree

import ib_async
import msgspec.structs
from ib_async import ComboLeg, DeltaNeutralContract, Order, TagValue, Ticker, Trade
from msgspec import UNSET

from adapters.ib.order_type_terms import apply_terms, reported_terms
from domain.account import AccountSummary, AccountValue, Position
from domain.contract import Contract, ContractQuery
from domain.market_data import MARKET_DATA_TYPES, Bar, Quote
from domain.options import CandidateChain
from domain.orders import OpenOrder, OrderRequest, OrderResult
from domain.scanner import ScannerParameters, ScanQuery, ScanResult

_UNSET_DOUBLE = 1.7976931348623157e308
# IB's "no value" for decimal fields (sizes): 2**127 - 1.
_UNSET_DECIMAL = float(2**127 - 1)
_DAILY_BARS = ("1 day", "1 week", "1 month")
_RIGHTS = {"C": "C", "CALL": "C", "P": "P", "PUT": "P"}
_SUMMARY_TAGS = {
    "NetLiquidation": "net_liquidation_value",
    "TotalCashValue": "total_cash_value",
    "GrossPositionValue": "gross_position_value",
    "UnrealizedPnL": "unrealized_pnl",
    "RealizedPnL": "realized_pnl",
    "AvailableFunds": "available_funds",
    "ExcessLiquidity": "excess_liquidity",
    "BuyingPower": "buying_power",
    "Leverage": "leverage",
}


def number(value: Any) -> float | None:
    """A finite float (from a float or IB's numeric strings), or None for IB's "no value"
    markers: empty strings, NaN, and UNSET_DOUBLE (the largest double) of either sign."""
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(out) or abs(out) >= _UNSET_DOUBLE:
        return None
    return out


def _price(value: Any) -> float | None:
    """Bid/ask/last: IB sends -1 (and ib_async keeps it) when there is no quote."""
    out = number(value)
    return None if out is None or out == -1 else out


# -- contracts ---------------------------------------------------------------------------------


def to_ib_contract(c: Contract | ContractQuery) -> ib_async.Contract:
    contract = ib_async.Contract(
        secType=c.sec_type,
        conId=c.con_id,
        symbol=c.symbol,
        lastTradeDateOrContractMonth=c.last_trade_date_or_contract_month,
        strike=c.strike,
        right=c.right,
        multiplier=c.multiplier,
        exchange=c.exchange,
        primaryExchange=c.primary_exchange,
        currency=c.currency,
        localSymbol=c.local_symbol,
        tradingClass=c.trading_class,
    )
    if isinstance(c, Contract):
        contract.includeExpired = c.include_expired
        contract.secIdType, contract.secId = c.sec_id_type, c.sec_id
        contract.description, contract.issuerId = c.description, c.issuer_id
        contract.comboLegsDescrip = c.combo_legs_descrip
        contract.comboLegs = [ComboLeg(**_camel(leg)) for leg in c.combo_legs]
        if c.delta_neutral_contract:
            contract.deltaNeutralContract = DeltaNeutralContract(**_camel(c.delta_neutral_contract))
    return contract


def from_ib_contract(c: ib_async.Contract) -> Contract:
    dnc = c.deltaNeutralContract
    return Contract(
        sec_type=c.secType,
        con_id=c.conId or 0,
        symbol=c.symbol,
        last_trade_date_or_contract_month=c.lastTradeDateOrContractMonth,
        strike=number(c.strike) or 0.0,
        right=_RIGHTS.get(c.right.upper(), c.right) if c.right not in ("", "?", "0") else "",
        multiplier=c.multiplier,
        exchange=c.exchange,
        primary_exchange=c.primaryExchange,
        currency=c.currency,
        local_symbol=c.localSymbol,
        trading_class=c.tradingClass,
        include_expired=bool(c.includeExpired),
        sec_id_type=c.secIdType,
        sec_id=c.secId,
        description=c.description,
        issuer_id=c.issuerId,
        combo_legs_descrip=c.comboLegsDescrip,
        combo_legs=[_snake(asdict(leg)) for leg in c.comboLegs or []],
        delta_neutral_contract=_snake(asdict(dnc)) if dnc else None,
    )


def from_ib_details(details: ib_async.ContractDetails) -> Contract:
    """The contract of IB's contract details, with its order size rules (minSize, sizeIncrement)
    where IB reports them; unset ones (0, or the unset markers) stay absent."""
    contract = from_ib_contract(details.contract or ib_async.Contract())
    rules = {
        name: value
        for name, raw in (("min_size", details.minSize), ("size_increment", details.sizeIncrement))
        if (value := _size(raw)) is not None
    }
    return msgspec.structs.replace(contract, **rules) if rules else contract


def _size(value: Any) -> float | None:
    out = number(value)
    return out if out is not None and 0 < out < _UNSET_DECIMAL else None


def _snake(d: dict[str, Any]) -> dict[str, Any]:
    return {"".join(f"_{ch.lower()}" if ch.isupper() else ch for ch in k): v for k, v in d.items()}


def _camel(d: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in d.items():
        head, *rest = key.split("_")
        out[head + "".join(part.title() for part in rest)] = value
    return out


def candidate_chain(chain: ib_async.OptionChain) -> CandidateChain:
    return CandidateChain(
        exchange=chain.exchange,
        underlying_con_id=str(chain.underlyingConId),
        trading_class=chain.tradingClass,
        expirations=sorted(chain.expirations),
        strikes=sorted(float(s) for s in chain.strikes),
        multiplier=chain.multiplier or UNSET,
    )


# -- market data -------------------------------------------------------------------------------


def quote(ticker: Ticker, *, symbol: str, now: datetime, market_data_type: int) -> Quote:
    """A snapshot as a Quote: null where IB sent nothing; option greeks from IB's model."""
    greeks: dict[str, Any] = {}
    contract = ticker.contract
    if contract is not None and contract.secType in ("OPT", "FOP"):
        model = ticker.modelGreeks
        greeks["implied_volatility"] = number(model.impliedVol) if model else None
        greeks["delta"] = number(model.delta) if model else None
        if model is not None:  # streaming lines: the rest of the model and open interest
            greeks.update(option_greeks(model))
            greeks["underlying_price"] = number(model.undPrice)
        interest = (ticker.callOpenInterest, ticker.putOpenInterest)
        mine, other = interest if contract.right.upper().startswith("C") else interest[::-1]
        open_interest = number(mine) if number(mine) is not None else number(other)
        if open_interest is not None:
            greeks["open_interest"] = open_interest
    return Quote(
        symbol=symbol,
        last_price=_price(ticker.last),
        bid=_price(ticker.bid),
        ask=_price(ticker.ask),
        bid_size=number(ticker.bidSize),
        ask_size=number(ticker.askSize),
        volume=number(ticker.volume),
        open=_price(ticker.open),
        high=_price(ticker.high),
        low=_price(ticker.low),
        close=_price(ticker.close),
        timestamp=ticker.time or now,
        contract_id=contract.conId if contract is not None and contract.conId else UNSET,
        market_data_type=MARKET_DATA_TYPES.get(market_data_type, "live"),
        **greeks,
    )


def greek(value: Any) -> float | None:
    """A greek of IB's option computation: None for IB's "unknown" (-2), which ib_async
    passes through for vega and theta."""
    out = number(value)
    return None if out is None or out == -2.0 else out


def option_greeks(computation: Any) -> dict[str, float | None]:
    """Gamma, vega and theta of an ib_async OptionComputation."""
    return {name: greek(getattr(computation, name)) for name in ("gamma", "vega", "theta")}


def bar(b: ib_async.BarData, bar_size: str) -> Bar:
    """ISO 8601 time; a date alone for daily and longer bars."""
    when = b.date
    if bar_size in _DAILY_BARS or (isinstance(when, date) and not isinstance(when, datetime)):
        stamp = (when.date() if isinstance(when, datetime) else when).isoformat()
    else:
        stamp = when.isoformat()
    return Bar(
        time=stamp,
        open=b.open,
        high=b.high,
        low=b.low,
        close=b.close,
        volume=number(b.volume) or 0.0,
        count=b.barCount if b.barCount and b.barCount > 0 else None,
        wap=number(b.average),
    )


# -- account -----------------------------------------------------------------------------------


def account_value(v: ib_async.AccountValue) -> AccountValue:
    return AccountValue(account_id=v.account, key=v.tag, value=v.value, currency=v.currency)


def account_summary(account_id: str, values: list[ib_async.AccountValue]) -> AccountSummary:
    """Headline figures in the base currency (the currency NetLiquidation is reported in)."""
    by_tag: dict[str, dict[str, str]] = {}
    for v in values:
        if v.account == account_id:
            by_tag.setdefault(v.tag, {})[v.currency] = v.value
    base = next((c for c in by_tag.get("NetLiquidation", {}) if c and c != "BASE"), None)
    figures: dict[str, float | None] = {}
    for tag, field in _SUMMARY_TAGS.items():
        per_currency = by_tag.get(tag, {})
        text = next(
            (per_currency[c] for c in (base, "", "BASE") if c is not None and c in per_currency),
            next(iter(per_currency.values()), None),
        )
        figures[field] = number(text)
    account_type = next(iter(by_tag.get("AccountType", {}).values()), None)
    return AccountSummary(
        account_id=account_id, account_type=account_type or None, currency=base, **figures
    )


def position(
    contract: ib_async.Contract,
    quantity: float,
    average_cost: float,
    item: ib_async.PortfolioItem | None = None,
) -> Position:
    """IB's average cost is per contract (multiplier included): the domain's is per unit."""
    multiplier = number(contract.multiplier) or 1.0
    unit_cost = (number(average_cost) or 0.0) / multiplier
    price = _price(item.marketPrice) if item else None
    market_value = number(item.marketValue) if item else None
    unrealized = number(item.unrealizedPNL) if item else None
    if price is not None and market_value is None:
        market_value = quantity * price * multiplier
    if price is not None and unrealized is None:
        unrealized = (price - unit_cost) * quantity * multiplier
    expiry = contract.lastTradeDateOrContractMonth or None
    return Position(
        contract_id=contract.conId,
        symbol=contract.symbol,
        position=float(quantity),
        average_cost=unit_cost,
        market_price=price,
        market_value=market_value,
        unrealized_pnl=unrealized,
        realized_pnl=number(item.realizedPNL) if item else None,
        asset_class=contract.secType,
        expiry=expiry,
        strike=(number(contract.strike) or None) if expiry else None,
        right=from_ib_contract(contract).right or None,
        multiplier=multiplier,
    )


# -- orders ------------------------------------------------------------------------------------


def to_ib_order(req: OrderRequest, *, account: str | None) -> Order:
    order = Order(
        action=req.action,
        totalQuantity=req.quantity,
        orderType=req.order_type,
        tif=req.time_in_force,
        outsideRth=req.outside_rth,
        transmit=req.transmit,
        orderRef=req.client_order_id or "",
        account=req.account_id or account or "",
    )
    apply_terms(order, req)
    if req.time_in_force == "GTD":
        order.goodTillDate = req.effective_good_till
    return order


def order_result(
    trade: Trade, *, order_id: int | None = None, error: str | None = None
) -> OrderResult:
    status = trade.orderStatus
    order = trade.order
    filled = number(status.filled) or 0.0
    if not filled and number(getattr(order, "filledQuantity", None)):
        filled = float(order.filledQuantity)
    total = number(order.totalQuantity) or 0.0
    remaining = number(status.remaining)
    if remaining is None or (not remaining and status.status not in ("Filled",) and not filled):
        remaining = (
            0.0 if status.status in ("Cancelled", "ApiCancelled", "Inactive") else total - filled
        )
    perm_id = order.permId or status.permId
    return OrderResult(
        order_id=order_id if order_id is not None else (order.orderId or status.orderId),
        status=status.status,
        filled_quantity=filled,
        remaining_quantity=remaining,
        average_fill_price=number(status.avgFillPrice) or 0.0,
        last_fill_price=number(status.lastFillPrice) or 0.0,
        error_message=error,
        perm_id=perm_id if perm_id else UNSET,
        client_order_id=order.orderRef or UNSET,
    )


def open_order(trade: Trade) -> OpenOrder:
    order, status, contract = trade.order, trade.orderStatus, trade.contract
    filled = number(status.filled) or 0.0
    total = number(order.totalQuantity) or 0.0
    remaining = number(status.remaining)
    return OpenOrder(
        order_id=order.orderId,
        perm_id=order.permId or status.permId or 0,
        client_id=order.clientId or status.clientId or 0,
        account_id=order.account,
        contract_id=contract.conId,
        symbol=contract.symbol,
        sec_type=contract.secType,
        action=order.action,
        order_type=order.orderType,
        quantity=total,
        **reported_terms(order, number),
        time_in_force=order.tif,
        good_till_date=order.goodTillDate or None,
        outside_rth=bool(order.outsideRth),
        status=status.status,
        filled_quantity=filled,
        remaining_quantity=remaining
        if remaining is not None and (remaining or filled)
        else total - filled,
        average_fill_price=number(status.avgFillPrice) or 0.0,
        client_order_id=order.orderRef or None,
    )


# -- scanner -----------------------------------------------------------------------------------


def scanner_subscription(query: ScanQuery) -> tuple[ib_async.ScannerSubscription, list[TagValue]]:
    """The scan as IB's subscription plus its filter tags (``priceAbove=5`` and friends)."""
    sub = ib_async.ScannerSubscription(
        numberOfRows=query.rows,
        instrument=query.instrument,
        locationCode=query.location_code,
        scanCode=query.scan_code,
    )
    limits = {
        "abovePrice": query.above_price,
        "belowPrice": query.below_price,
        "aboveVolume": query.above_volume,
        "marketCapAbove": query.market_cap_above,
        "marketCapBelow": query.market_cap_below,
    }
    for name, value in limits.items():
        if value is not None:
            setattr(sub, name, value)
    return sub, [TagValue(k, v) for k, v in query.filters.items()]


def scan_result(data: ib_async.ScanData) -> ScanResult:
    details = data.contractDetails
    contract = details.contract or ib_async.Contract()
    return ScanResult(
        contract_id=contract.conId,
        symbol=contract.symbol,
        sec_type=contract.secType,
        exchange=contract.exchange,
        sector=details.industry or None,
        rank=data.rank + 1,
    )


def scanner_parameters(xml: str) -> ScannerParameters:
    """A digest of IB's scanner parameters XML: instrument types, locations, scans, filters."""
    root = ElementTree.fromstring(xml)

    def texts(path: str) -> list[str]:
        return sorted(
            {(e.text or "").strip() for e in root.iterfind(path) if (e.text or "").strip()}
        )

    return ScannerParameters(
        instruments=texts("./InstrumentList/Instrument/type"),
        location_codes=texts(".//LocationTree//Location/locationCode"),
        scan_codes=texts("./ScanTypeList/ScanType/scanCode"),
        # Real IB names filters in AbstractField/code; a bare filter has only its id.
        filters=texts("./FilterList//AbstractField/code") or texts("./FilterList/*/id"),
    )

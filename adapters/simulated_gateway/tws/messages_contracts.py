"""Server -> client messages about contracts: details, history, option chains, scanner."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from adapters.simulated_gateway.model import Bar, ChainParams, Instrument, ScanRow
from adapters.simulated_gateway.tws.messages import Fields
from adapters.simulated_gateway.tws.wire import fmt_float

CONTRACT_DATA = "10"
HISTORICAL_DATA = "17"
SCANNER_PARAMETERS = "19"
SCANNER_DATA = "20"
CONTRACT_DATA_END = "52"
SECDEF_OPT_PARAMS = "75"
SECDEF_OPT_PARAMS_END = "76"
HISTORICAL_DATA_UPDATE = "90"


def contract_data(req_id: int, inst: Instrument) -> Fields:
    """CONTRACT_DATA at version 178: 40 fields, no version, no secIds."""
    is_derivative = inst.sec_type in ("OPT", "FUT", "FOP")
    return [
        CONTRACT_DATA,
        str(req_id),
        inst.symbol,
        inst.sec_type,
        inst.last_trade_date,
        fmt_float(inst.strike) or "0",
        inst.right,
        inst.exchange,
        inst.currency,
        inst.local_symbol,
        inst.market_name or inst.trading_class,
        inst.trading_class,
        str(inst.con_id),
        fmt_float(inst.min_tick),
        inst.multiplier,
        inst.order_types,
        inst.valid_exchanges,
        "1",  # priceMagnifier
        str(inst.under_con_id),
        inst.long_name,
        inst.primary_exchange,
        inst.last_trade_date[:6] if is_derivative else "",  # contractMonth
        inst.industry,
        inst.category,
        inst.subcategory,
        inst.time_zone_id,
        inst.trading_hours,
        inst.liquid_hours,
        "",  # evRule
        "0",  # evMultiplier
        "0",  # secIdList count
        "0",  # aggGroup
        inst.under_symbol,
        inst.under_sec_type,
        inst.market_rule_ids,
        inst.last_trade_date if is_derivative else "",  # realExpirationDate
        inst.stock_type,
        fmt_float(inst.min_size),
        fmt_float(inst.size_increment),
        fmt_float(inst.suggested_size_increment),
    ]


def contract_data_end(req_id: int) -> Fields:
    return [CONTRACT_DATA_END, "1", str(req_id)]


def bar_time_text(time: datetime, *, daily: bool, format_date: int, time_zone: str) -> str:
    """A bar's date as IB writes it: YYYYMMDD for daily bars, else local time with its zone."""
    if format_date == 2:
        return str(int(time.timestamp()))
    zone = ZoneInfo(time_zone) if time_zone else UTC
    local = time.astimezone(zone)
    if daily:
        return local.strftime("%Y%m%d")
    return f"{local.strftime('%Y%m%d %H:%M:%S')} {time_zone or 'UTC'}"


def historical_data(
    req_id: int,
    start: str,
    end: str,
    bars: Sequence[Bar],
    *,
    daily: bool,
    format_date: int = 1,
    time_zone: str = "US/Eastern",
) -> Fields:
    """HISTORICAL_DATA: no version; this one message ends the request at version 178."""
    fields = [HISTORICAL_DATA, str(req_id), start, end, str(len(bars))]
    for bar in bars:
        fields += (
            bar_time_text(bar.time, daily=daily, format_date=format_date, time_zone=time_zone),
            fmt_float(bar.open),
            fmt_float(bar.high),
            fmt_float(bar.low),
            fmt_float(bar.close),
            fmt_float(bar.volume) or "0",
            fmt_float(bar.wap) or "0",
            str(int(bar.count)),
        )
    return fields


def historical_data_update(req_id: int, bar: Bar, date_text: str) -> Fields:
    """HISTORICAL_DATA_UPDATE for keepUpToDate: note close comes before high."""
    return [
        HISTORICAL_DATA_UPDATE,
        str(req_id),
        str(int(bar.count)),
        date_text,
        fmt_float(bar.open),
        fmt_float(bar.close),
        fmt_float(bar.high),
        fmt_float(bar.low),
        fmt_float(bar.wap) or "0",
        fmt_float(bar.volume) or "0",
    ]


def secdef_opt_params(req_id: int, chain: ChainParams) -> Fields:
    """SECDEF_OPT_PARAMS: nothing may follow the strikes (ib_async reads them to the end)."""
    return [
        SECDEF_OPT_PARAMS,
        str(req_id),
        chain.exchange,
        str(chain.under_con_id),
        chain.trading_class,
        chain.multiplier,
        str(len(chain.expirations)),
        *chain.expirations,
        str(len(chain.strikes)),
        *(fmt_float(strike) for strike in chain.strikes),
    ]


def secdef_opt_params_end(req_id: int) -> Fields:
    return [SECDEF_OPT_PARAMS_END, str(req_id)]


def scanner_parameters(xml: str) -> Fields:
    return [SCANNER_PARAMETERS, "1", xml]


def scanner_data(req_id: int, rows: Sequence[ScanRow]) -> Fields:
    """SCANNER_DATA: all rows in one message, which also ends a one-shot scan."""
    fields = [SCANNER_DATA, "3", str(req_id), str(len(rows))]
    for row in rows:
        inst = row.instrument
        fields += (
            str(row.rank),
            str(inst.con_id),
            inst.symbol,
            inst.sec_type,
            inst.last_trade_date,
            fmt_float(inst.strike) or "0",
            inst.right,
            inst.exchange,
            inst.currency,
            inst.local_symbol,
            inst.market_name or inst.trading_class,
            inst.trading_class,
            row.distance,
            row.benchmark,
            row.projection,
            "",  # legsStr
        )
    return fields

"""Server -> client messages about the account: values, portfolio, positions, summaries."""

from __future__ import annotations

from adapters.simulated_gateway.model import Instrument, PositionRow
from adapters.simulated_gateway.tws.messages import Fields
from adapters.simulated_gateway.tws.wire import fmt_float

ACCT_VALUE = "6"
PORTFOLIO_VALUE = "7"
ACCT_UPDATE_TIME = "8"
ACCT_DOWNLOAD_END = "54"
POSITION_DATA = "61"
POSITION_END = "62"
ACCOUNT_SUMMARY = "63"
ACCOUNT_SUMMARY_END = "64"
ACCOUNT_UPDATE_MULTI = "73"
ACCOUNT_UPDATE_MULTI_END = "74"


def _num(value: float) -> str:
    # ib_async parses these with a bare float(): "" would drop the whole message.
    text = fmt_float(value)
    return text or "0"


def acct_value(key: str, value: str, currency: str, account: str) -> Fields:
    return [ACCT_VALUE, "2", key, value, currency, account]


def acct_update_time(hh_mm: str) -> Fields:
    return [ACCT_UPDATE_TIME, "1", hh_mm]


def acct_download_end(account: str) -> Fields:
    return [ACCT_DOWNLOAD_END, "1", account]


def _contract_head(inst: Instrument) -> list[str]:
    # conId through multiplier (7 fields), shared by PORTFOLIO_VALUE and POSITION_DATA
    return [
        str(inst.con_id),
        inst.symbol,
        inst.sec_type,
        inst.last_trade_date,
        fmt_float(inst.strike) or "0",
        inst.right,
        inst.multiplier,
    ]


def portfolio_value(row: PositionRow) -> Fields:
    """PORTFOLIO_VALUE: exactly 20 fields; the contract carries primaryExchange, not exchange."""
    inst = row.instrument
    return [
        PORTFOLIO_VALUE,
        "8",
        *_contract_head(inst),
        inst.primary_exchange,
        inst.currency,
        inst.local_symbol,
        inst.trading_class,
        _num(row.position),
        _num(row.market_price),
        _num(row.market_value),
        _num(row.avg_cost),
        _num(row.unrealized_pnl),
        _num(row.realized_pnl),
        row.account,
    ]


def position_data(row: PositionRow) -> Fields:
    """POSITION_DATA: exactly 16 fields."""
    inst = row.instrument
    return [
        POSITION_DATA,
        "3",
        row.account,
        *_contract_head(inst),
        inst.exchange,
        inst.currency,
        inst.local_symbol,
        inst.trading_class,
        _num(row.position),
        _num(row.avg_cost),
    ]


def position_end() -> Fields:
    return [POSITION_END, "1"]


def account_summary(req_id: int, account: str, tag: str, value: str, currency: str) -> Fields:
    return [ACCOUNT_SUMMARY, "1", str(req_id), account, tag, value, currency]


def account_summary_end(req_id: int) -> Fields:
    return [ACCOUNT_SUMMARY_END, "1", str(req_id)]


def account_update_multi(
    req_id: int, account: str, model_code: str, key: str, value: str, currency: str
) -> Fields:
    return [ACCOUNT_UPDATE_MULTI, "1", str(req_id), account, model_code, key, value, currency]


def account_update_multi_end(req_id: int) -> Fields:
    return [ACCOUNT_UPDATE_MULTI_END, "1", str(req_id)]

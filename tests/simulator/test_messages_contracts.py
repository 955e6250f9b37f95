"""Contract, history, option-chain and scanner builders, decoded by ib_async at 178."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from adapters.simulated_gateway.model import Bar, ChainParams, ScanRow
from adapters.simulated_gateway.tws import messages_contracts as cm
from tests.simulator.decoding import decode, only_call
from tests.simulator.stub_world import AAPL, CCJ, OPTIONS

pytestmark = pytest.mark.usefixtures("no_decoder_errors")


def test_contract_data_is_forty_fields_and_round_trips() -> None:
    fields = cm.contract_data(11, AAPL)
    assert len(fields) == 40
    name, (req_id, details) = only_call(fields)
    assert (name, req_id) == ("contractDetails", 11)
    c = details.contract
    assert (c.conId, c.symbol, c.secType, c.exchange, c.primaryExchange, c.currency) == (
        265598,
        "AAPL",
        "STK",
        "SMART",
        "NASDAQ",
        "USD",
    )
    assert (c.localSymbol, c.tradingClass) == ("AAPL", "NMS")
    assert details.longName == "APPLE INC"
    assert details.minTick == 0.01
    assert details.timeZoneId == "US/Eastern"
    assert details.orderTypes == AAPL.order_types


def test_contract_data_carries_the_size_rules() -> None:
    """minSize, sizeIncrement, suggestedSizeIncrement: the last three fields at version 178."""
    fx = replace(AAPL, sec_type="CASH", min_size=0.01, size_increment=0.01,
                 suggested_size_increment=0.01)  # fmt: skip
    _, (_, details) = only_call(cm.contract_data(13, fx))
    assert (details.minSize, details.sizeIncrement, details.suggestedSizeIncrement) == (
        0.01,
        0.01,
        0.01,
    )
    lot = replace(AAPL, suggested_size_increment=100.0)
    _, (_, details) = only_call(cm.contract_data(14, lot))
    assert (details.minSize, details.sizeIncrement, details.suggestedSizeIncrement) == (1, 1, 100)


def test_option_contract_data_keeps_expiry_strike_right_multiplier() -> None:
    option = OPTIONS[1]
    _, (_, details) = only_call(cm.contract_data(12, option))
    c = details.contract
    assert (c.lastTradeDateOrContractMonth, c.strike, c.right, c.multiplier) == (
        option.last_trade_date,
        option.strike,
        "P",
        "100",
    )
    assert details.underConId == AAPL.con_id
    assert details.contractMonth == option.last_trade_date[:6]
    assert only_call(cm.contract_data_end(12)) == ("contractDetailsEnd", (12,))


def _bars() -> list[Bar]:
    t = datetime(2025, 3, 3, 14, 30, tzinfo=UTC)
    return [
        Bar(t, 10.0, 11.5, 9.75, 11.0, 12345.0, 10.5, 42),
        Bar(t.replace(hour=15), 11.0, 12.0, 10.0, 10.5, 999.0, 11.1, 7),
    ]


def test_intraday_historical_data_carries_zone_and_ends_request() -> None:
    fields = cm.historical_data(5, "s", "e", _bars(), daily=False, time_zone="US/Eastern")
    calls = decode(fields)
    assert [c[0] for c in calls] == ["historicalData", "historicalData", "historicalDataEnd"]
    bar = calls[0][1][1]
    assert bar.date == "20250303 09:30:00 US/Eastern"
    assert (bar.open, bar.high, bar.low, bar.close, bar.volume, bar.average, bar.barCount) == (
        10.0,
        11.5,
        9.75,
        11.0,
        12345.0,
        10.5,
        42,
    )
    assert calls[2][1] == (5, "s", "e")


def test_daily_and_epoch_bar_dates() -> None:
    daily = decode(cm.historical_data(5, "", "", _bars()[:1], daily=True))
    assert daily[0][1][1].date == "20250303"
    epoch = decode(cm.historical_data(5, "", "", _bars()[:1], daily=False, format_date=2))
    assert epoch[0][1][1].date == str(int(_bars()[0].time.timestamp()))


def test_historical_data_update_puts_close_before_high() -> None:
    bar = _bars()[0]
    name, (req_id, update) = only_call(
        cm.historical_data_update(5, bar, "20250303 09:30:00 US/Eastern")
    )
    assert (name, req_id) == ("historicalDataUpdate", 5)
    assert (update.open, update.high, update.low, update.close) == (10.0, 11.5, 9.75, 11.0)
    assert (update.volume, update.average, update.barCount) == (12345.0, 10.5, 42)


def test_secdef_opt_params_and_end() -> None:
    chain = ChainParams("SMART", 265598, "AAPL", "100", ["20250321", "20250620"], [150.0, 152.5])
    name, args = only_call(cm.secdef_opt_params(8, chain))
    assert name == "securityDefinitionOptionParameter"
    assert args == (8, "SMART", "265598", "AAPL", "100", ["20250321", "20250620"], [150.0, 152.5])
    assert only_call(cm.secdef_opt_params_end(8)) == ("securityDefinitionOptionParameterEnd", (8,))


def test_scanner_parameters_and_data() -> None:
    assert only_call(cm.scanner_parameters("<xml/>")) == ("scannerParameters", ("<xml/>",))
    calls = decode(cm.scanner_data(9, [ScanRow(0, AAPL), ScanRow(1, CCJ, distance="d")]))
    assert [c[0] for c in calls] == ["scannerData", "scannerData", "scannerDataEnd"]
    req_id, rank, details, distance, *_ = calls[1][1]
    assert (req_id, rank, details.contract.conId, details.contract.symbol, distance) == (
        9,
        1,
        CCJ.con_id,
        "CCJ",
        "d",
    )

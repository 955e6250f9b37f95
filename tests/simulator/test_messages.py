"""Every connection, error and market-data builder, decoded by ib_async's Decoder at 178."""

from __future__ import annotations

import pytest

from adapters.simulated_gateway.model import AccountValue, PositionRow
from adapters.simulated_gateway.tws import messages as m
from adapters.simulated_gateway.tws import messages_account as am
from tests.simulator.decoding import only_call, wire_fields
from tests.simulator.stub_world import AAPL, OPTIONS

pytestmark = pytest.mark.usefixtures("no_decoder_errors")


def test_handshake_reply_is_exactly_two_fields() -> None:
    assert wire_fields(m.handshake(178, "20250101 12:00:00 UTC")) == [
        "178",
        "20250101 12:00:00 UTC",
    ]


def test_error_carries_code_text_and_reject_json() -> None:
    name, args = only_call(m.error(7, 200, "No security definition has been found for the request"))
    assert name == "error"
    assert args == (7, 200, "No security definition has been found for the request", "")


def test_next_valid_id_managed_accounts_current_time() -> None:
    assert only_call(m.next_valid_id(42)) == ("nextValidId", (42,))
    assert only_call(m.managed_accounts(["DU1234567"])) == ("managedAccounts", ("DU1234567",))
    assert only_call(m.current_time(1_700_000_000)) == ("currentTime", (1_700_000_000,))


def test_tick_price_keeps_price_and_size() -> None:
    assert only_call(m.tick_price(3, m.BID, 199.99, 300.0)) == (
        "priceSizeTick",
        (3, 1, 199.99, 300.0),
    )
    assert only_call(m.tick_price(3, m.CLOSE, 5795.25)) == ("priceSizeTick", (3, 9, 5795.25, 0.0))


def test_tick_size_generic_string() -> None:
    assert only_call(m.tick_size(3, m.VOLUME, 1_234_567.0)) == ("tickSize", (3, 8, 1_234_567.0))
    assert only_call(m.tick_generic(3, m.OPTION_IMPLIED_VOL, 0.25)) == (
        "tickGeneric",
        (3, 24, 0.25),
    )
    assert only_call(m.tick_string(3, m.LAST_TIMESTAMP, "1700000000")) == (
        "tickString",
        (3, 45, "1700000000"),
    )


def test_tick_option_computation_with_unknown_values() -> None:
    fields = m.tick_option_computation(
        4,
        m.MODEL_OPTION,
        implied_vol=0.25,
        delta=0.55,
        opt_price=12.5,
        pv_dividend=0.0,
        gamma=0.02,
        vega=float("nan"),
        theta=-0.05,
        und_price=200.0,
    )
    assert len(fields) == 12
    name, args = only_call(fields)
    assert name == "tickOptionComputation"
    assert args == (4, 13, 0, 0.25, 0.55, 12.5, 0.0, 0.02, -2.0, -0.05, 200.0)


def test_snapshot_end_and_market_data_type() -> None:
    assert only_call(m.tick_snapshot_end(9)) == ("tickSnapshotEnd", (9,))
    assert only_call(m.market_data_type(9, 3)) == ("marketDataType", (9, 3))


def _row(inst=AAPL, position: float = 10.0) -> PositionRow:
    return PositionRow("DU1234567", inst, position, 2000.5, 201.25, 2012.5, 7.5, -1.25)


def test_account_value_time_and_download_end() -> None:
    v = AccountValue("NetLiquidation", "100000.00", "USD")
    assert only_call(am.acct_value(v.key, v.value, v.currency, "DU1")) == (
        "updateAccountValue",
        ("NetLiquidation", "100000.00", "USD", "DU1"),
    )
    assert only_call(am.acct_update_time("15:04")) == ("updateAccountTime", ("15:04",))
    assert only_call(am.acct_download_end("DU1")) == ("accountDownloadEnd", ("DU1",))


def test_portfolio_value_is_twenty_fields_and_round_trips() -> None:
    option = OPTIONS[0]
    fields = am.portfolio_value(_row(option, -2.0))
    assert len(fields) == 20
    name, (contract, *values, account) = only_call(fields)
    assert name == "updatePortfolio"
    assert (contract.conId, contract.secType, contract.strike, contract.right) == (
        option.con_id,
        "OPT",
        option.strike,
        "C",
    )
    assert contract.lastTradeDateOrContractMonth == option.last_trade_date
    assert contract.primaryExchange == "CBOE"
    assert values == [-2.0, 201.25, 2012.5, 2000.5, 7.5, -1.25]
    assert account == "DU1234567"


def test_position_data_is_sixteen_fields() -> None:
    fields = am.position_data(_row())
    assert len(fields) == 16
    name, (account, contract, position, avg_cost) = only_call(fields)
    assert (name, account, position, avg_cost) == ("position", "DU1234567", 10.0, 2000.5)
    assert (contract.conId, contract.symbol, contract.exchange, contract.currency) == (
        265598,
        "AAPL",
        "SMART",
        "USD",
    )
    assert only_call(am.position_end()) == ("positionEnd", ())


def test_account_summary_and_multi() -> None:
    assert only_call(am.account_summary(5, "DU1", "BuyingPower", "400000.00", "USD")) == (
        "accountSummary",
        (5, "DU1", "BuyingPower", "400000.00", "USD"),
    )
    assert only_call(am.account_summary_end(5)) == ("accountSummaryEnd", (5,))
    assert only_call(am.account_update_multi(6, "DU1", "", "CashBalance", "1.5", "BASE")) == (
        "accountUpdateMulti",
        (6, "DU1", "", "CashBalance", "1.5", "BASE"),
    )
    assert only_call(am.account_update_multi_end(6)) == ("accountUpdateMultiEnd", (6,))

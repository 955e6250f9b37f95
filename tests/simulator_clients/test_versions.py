"""Every message the simulator sends, adapted to each server version from 100 to 178 and fed
to a real client's decoder at that version: IB's ``ibapi`` 9.81 (100..157), ib_insync 0.9.86
(157..176) and ib_async 2.1.0 (157..178). Each must decode without a failure and land the
values where they belong (a field out of place shows up as a value on the wrong attribute)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from adapters.simulated_gateway.markets.historical_ticks import HistTick
from adapters.simulated_gateway.markets.history_extras import Bucket
from adapters.simulated_gateway.markets.symbol_search import SymbolSample
from adapters.simulated_gateway.markets.trading_schedule import ScheduledSession, TradingSchedule
from adapters.simulated_gateway.model import (
    Bar,
    ChainParams,
    Fill,
    OrderRecord,
    OrderSpec,
    PnlFigures,
    PositionRow,
    ScanRow,
    WhatIf,
)
from adapters.simulated_gateway.tws import messages as m
from adapters.simulated_gateway.tws import messages_account as am
from adapters.simulated_gateway.tws import messages_contracts as cm
from adapters.simulated_gateway.tws import messages_market as mm
from adapters.simulated_gateway.tws import messages_orders as om
from adapters.simulated_gateway.tws import messages_pnl as pm
from adapters.simulated_gateway.tws import messages_research as rm
from adapters.simulated_gateway.tws.handlers.handlers_history_extras import (
    head_timestamp,
    histogram_data,
    historical_ticks,
)
from adapters.simulated_gateway.tws.handlers.historical_schedule import historical_schedule
from adapters.simulated_gateway.tws.versions import for_client
from tests.simulator.stub_world import AAPL, OPTIONS
from tests.simulator_clients.decoders import DECODERS, Decoded

ACCOUNT = "DU1234567"
LMT = OrderSpec(
    order_id=7, client_id=3, action="BUY", total_quantity=100.0, order_type="LMT",
    lmt_price=187.25, tif="GTC", outside_rth=True, order_ref="ref-1", account=ACCOUNT,
)  # fmt: skip
ADAPTIVE = replace(LMT, algo_strategy="Adaptive", algo_params=(("adaptivePriority", "Patient"),))
TRAIL = replace(LMT, order_type="TRAIL", lmt_price=None, trailing_percent=1.5,
                trail_stop_price=180.0)  # fmt: skip
IMPACT = WhatIf("1000", "900", "50000", "1870.5", "1700", "0", "2870.5", "2600", "50000",
                1.0, 1.0, 1.0)  # fmt: skip
RECORD = OrderRecord(LMT, AAPL, 555, "Filled", 100.0, 0.0, 187.2)
FILL = Fill("0000e0d5.67a8b9c1.01.01", datetime(2025, 3, 3, 15, 0, 1, tzinfo=UTC), 7, 3, 555,
            AAPL, "BOT", 40.0, 187.2, 40.0, 187.2, "ref-1", ACCOUNT, 1.25, "USD", float("nan"))  # fmt: skip
ROW = PositionRow(ACCOUNT, AAPL, 10.0, 150.0, 187.0, 1870.0, 370.0, 0.0)
BARS = [
    Bar(datetime(2025, 3, 3, 14, 30, tzinfo=UTC), 186.0, 188.5, 185.5, 187.0, 12345.6, 187.1, 40),
    Bar(datetime(2025, 3, 3, 14, 35, tzinfo=UTC), 187.0, 189.0, 186.5, 188.0, 2000.0, 187.9, 12),
]
OPTION = OPTIONS[0]
_NY = ZoneInfo("US/Eastern")
SCHEDULE = TradingSchedule("US/Eastern", [ScheduledSession(
    datetime(2025, 3, 4, 9, 30, tzinfo=_NY), datetime(2025, 3, 4, 16, 0, tzinfo=_NY),
    date(2025, 3, 4))])  # fmt: skip


def near(value: float, within: float = 1e-6) -> Any:
    return pytest.approx(value, abs=within)


@dataclass(frozen=True)
class Sample:
    name: str
    fields: list[str]
    callback: str
    # (attribute, value): some decoded object (or positional argument "#i") must carry it
    marks: tuple[tuple[str, Any], ...] = ()
    ibapi_callback: str = ""  # where IB's own wrapper names the call differently


SAMPLES = [
    Sample("error", m.error(7, 201, "Order rejected - reason:no", ""), "error",
           (("#0", 7), ("#1", 201), ("#2", "Order rejected - reason:no"))),
    Sample("error without id", m.error(-1, 2104, "Market data farm connection is OK:usfarm"),
           "error", (("#0", -1), ("#1", 2104))),
    Sample("tick price", m.tick_price(5, 1, 187.25, 300.0, 3), "priceSizeTick",
           (("#0", 5), ("#1", 1), ("#2", 187.25)), ibapi_callback="tickPrice"),
    Sample("tick size, a fraction", m.tick_size(5, 8, 1234.6), "tickSize",
           (("#0", 5), ("#1", 8), ("#2", near(1234.6, 0.5)))),
    Sample("tick generic", m.tick_generic(5, 49, 0.0), "tickGeneric", (("#1", 49),)),
    Sample("tick string", m.tick_string(5, 45, "1741100400"), "tickString",
           (("#2", "1741100400"),)),
    Sample("option computation", m.tick_option_computation(
        5, 13, implied_vol=0.25, delta=0.5, opt_price=3.2, pv_dividend=0.0, gamma=0.02,
        vega=0.1, theta=-0.05, und_price=187.0), "tickOptionComputation",
        (("#0", 5), ("#1", 13), ("#3", 0.25), ("#4", 0.5), ("#5", 3.2), ("#10", 187.0))),
    Sample("snapshot end", m.tick_snapshot_end(5), "tickSnapshotEnd", (("#0", 5),)),
    Sample("market data type", m.market_data_type(5, 3), "marketDataType", (("#1", 3),)),
    Sample("next valid id", m.next_valid_id(12), "nextValidId", (("#0", 12),)),
    Sample("managed accounts", m.managed_accounts([ACCOUNT]), "managedAccounts",
           (("#0", ACCOUNT),)),
    Sample("current time", m.current_time(1741100400), "currentTime", (("#0", 1741100400),)),
    Sample("order status", om.order_status(7, replace(RECORD, status="Submitted", filled=40.0)),
           "orderStatus", (("#0", 7), ("#1", "Submitted"), ("#2", 40), ("#3", 60),
                           ("#5", 555), ("#8", 3))),
    Sample("open order", om.open_order(7, LMT, AAPL, perm_id=555, status="Submitted",
                                       account=ACCOUNT), "openOrder",
           (("orderId", 7), ("conId", AAPL.con_id), ("lmtPrice", 187.25), ("tif", "GTC"),
            ("totalQuantity", 100), ("account", ACCOUNT), ("permId", 555), ("clientId", 3),
            ("orderRef", "ref-1"), ("status", "Submitted"), ("outsideRth", True),
            ("whatIf", False))),
    Sample("what-if open order", om.open_order(7, LMT, AAPL, perm_id=0, status="PreSubmitted",
                                               account=ACCOUNT, what_if=IMPACT), "openOrder",
           (("whatIf", True), ("initMarginAfter", "2870.5"), ("equityWithLoanAfter", "50000"),
            ("maintMarginAfter", "2600"), ("commission", 1.0), ("status", "PreSubmitted"))),
    Sample("algo open order", om.open_order(7, ADAPTIVE, AAPL, perm_id=555,
                                            status="Submitted", account=ACCOUNT), "openOrder",
           (("algoStrategy", "Adaptive"), ("lmtPrice", 187.25), ("status", "Submitted"))),
    Sample("trailing open order", om.open_order(7, TRAIL, AAPL, perm_id=555,
                                                status="PreSubmitted", account=ACCOUNT),
           "openOrder", (("trailingPercent", 1.5), ("trailStopPrice", 180.0),
                         ("orderType", "TRAIL"), ("status", "PreSubmitted"))),
    Sample("completed order", om.completed_order(RECORD, account=ACCOUNT,
                                                 completed_time="20250303 15:00:01 UTC"),
           "completedOrder", (("conId", AAPL.con_id), ("permId", 555), ("status", "Filled"),
                              ("filledQuantity", 100), ("lmtPrice", 187.25),
                              ("completedTime", "20250303 15:00:01 UTC"),
                              ("completedStatus", "Filled"))),
    Sample("open order end", om.open_order_end(), "openOrderEnd"),
    Sample("completed orders end", om.completed_orders_end(), "completedOrdersEnd"),
    Sample("execution", om.execution_data(-1, 7, FILL), "execDetails",
           (("#0", -1), ("conId", AAPL.con_id), ("execId", FILL.exec_id), ("shares", 40),
            ("price", 187.2), ("permId", 555), ("clientId", 3), ("cumQty", 40),
            ("orderRef", "ref-1"), ("side", "BOT"), ("acctNumber", ACCOUNT))),
    Sample("execution end", om.execution_data_end(9), "execDetailsEnd", (("#0", 9),)),
    Sample("commission", om.commission_report(FILL), "commissionReport",
           (("execId", FILL.exec_id), ("commission", 1.25), ("currency", "USD"))),
    Sample("account value", am.acct_value("NetLiquidation", "100000.5", "USD", ACCOUNT),
           "updateAccountValue", (("#0", "NetLiquidation"), ("#1", "100000.5"))),
    Sample("account time", am.acct_update_time("15:00"), "updateAccountTime"),
    Sample("account end", am.acct_download_end(ACCOUNT), "accountDownloadEnd"),
    Sample("portfolio", am.portfolio_value(ROW), "updatePortfolio",
           (("conId", AAPL.con_id), ("primaryExchange", "NASDAQ"), ("#1", 10), ("#2", 187.0),
            ("#3", 1870.0), ("#4", 150.0), ("#5", 370.0), ("#7", ACCOUNT))),
    Sample("position", am.position_data(ROW), "position",
           (("#0", ACCOUNT), ("conId", AAPL.con_id), ("#2", 10), ("#3", 150.0))),
    Sample("position end", am.position_end(), "positionEnd"),
    Sample("account summary", am.account_summary(9, ACCOUNT, "NetLiquidation", "1000", "USD"),
           "accountSummary", (("#0", 9), ("#2", "NetLiquidation"), ("#3", "1000"))),
    Sample("account summary end", am.account_summary_end(9), "accountSummaryEnd"),
    Sample("account update multi", am.account_update_multi(9, ACCOUNT, "", "CashBalance", "5",
                                                           "USD"), "accountUpdateMulti",
           (("#0", 9), ("#3", "CashBalance"))),
    Sample("account update multi end", am.account_update_multi_end(9),
           "accountUpdateMultiEnd"),
    Sample("contract details", cm.contract_data(9, replace(AAPL, stock_type="COMMON")),
           "contractDetails", (("#0", 9), ("conId", AAPL.con_id), ("symbol", "AAPL"),
                               ("longName", "APPLE INC"), ("minTick", 0.01),
                               ("primaryExchange", "NASDAQ"), ("timeZoneId", "US/Eastern"),
                               ("validExchanges", "SMART"), ("orderTypes", AAPL.order_types),
                               ("exchange", "SMART"), ("currency", "USD"))),
    Sample("option contract details", cm.contract_data(9, OPTION), "contractDetails",
           (("strike", 150.0), ("right", "C"), ("multiplier", "100"),
            ("lastTradeDateOrContractMonth", OPTION.last_trade_date),
            ("underConId", AAPL.con_id), ("conId", OPTION.con_id))),
    Sample("contract details end", cm.contract_data_end(9), "contractDetailsEnd"),
    Sample("historical data", cm.historical_data(9, "a", "b", BARS, daily=False),
           "historicalData", (("open", 186.0), ("high", 188.5), ("close", 188.0),
                              ("volume", near(12345.6, 0.5)), ("barCount", 40),
                              ("date", "20250303 09:30:00 US/Eastern"))),
    Sample("historical data update", cm.historical_data_update(9, BARS[0], "1741012200"),
           "historicalDataUpdate", (("open", 186.0), ("close", 187.0), ("high", 188.5),
                                    ("volume", near(12345.6, 0.5)))),
    Sample("option parameters", cm.secdef_opt_params(9, ChainParams(
        "CBOE", AAPL.con_id, "AAPL", "100", ["20991217"], [150.0, 200.0])),
        "securityDefinitionOptionParameter", (("#0", 9), ("#1", "CBOE"), ("#2", AAPL.con_id))),
    Sample("option parameters end", cm.secdef_opt_params_end(9),
           "securityDefinitionOptionParameterEnd"),
    Sample("scanner parameters", cm.scanner_parameters("<xml/>"), "scannerParameters"),
    Sample("scanner data", cm.scanner_data(9, [ScanRow(0, AAPL)]), "scannerData",
           (("conId", AAPL.con_id),)),
    Sample("depth", mm.market_depth(9, 0, 0, 1, 187.2, 300.0), "updateMktDepth",
           (("#0", 9), ("#4", 187.2), ("#5", 300))),
    Sample("depth L2", mm.market_depth_l2(9, 0, "NSDQ", 0, 1, 187.2, 300.0, True),
           "updateMktDepthL2", (("#0", 9), ("#2", "NSDQ"), ("#5", 187.2), ("#6", 300))),
    Sample("depth exchanges", mm.mkt_depth_exchanges([("ISLAND", "STK", "NASDAQ", "Deep2", 1),
                                                      ("ARCA", "STK", "NYSE", "Deep", 2)]),
           "mktDepthExchanges", (("exchange", "ISLAND"), ("exchange", "ARCA"),
                                 ("secType", "STK"))),
    Sample("real-time bar", mm.real_time_bar(9, 1741100400, 187.0, 187.5, 186.9, 187.2, 500.0,
                                             187.1, 7), "realtimeBar",
           (("#0", 9), ("#1", 1741100400))),
    Sample("tick parameters", mm.tick_req_params(9, 0.01, "9c0001", 3), "tickReqParams",
           (("#0", 9), ("#1", 0.01), ("#2", "9c0001"), ("#3", 3))),
    Sample("tick-by-tick last", mm.tick_by_tick_last(9, 1, 1741100400, 187.2, 100.0, "NASDAQ"),
           "tickByTickAllLast", (("#0", 9), ("#3", 187.2), ("#4", 100))),
    Sample("tick-by-tick bid/ask", mm.tick_by_tick_bid_ask(9, 1741100400, 187.1, 187.2, 300.0,
                                                          400.0), "tickByTickBidAsk",
           (("#0", 9), ("#2", 187.1), ("#3", 187.2), ("#4", 300), ("#5", 400))),
    Sample("tick-by-tick midpoint", mm.tick_by_tick_mid_point(9, 1741100400, 187.15),
           "tickByTickMidPoint", (("#2", 187.15),)),
    Sample("symbol samples", rm.symbol_samples(9, [
        SymbolSample(AAPL.con_id, "AAPL", "STK", "NASDAQ", "USD", "APPLE INC", ("OPT", "WAR")),
        SymbolSample(5620, "CCJ", "STK", "NYSE", "USD", "CAMECO CORP", ())]),
        "symbolSamples", (("#0", 9), ("conId", AAPL.con_id), ("symbol", "AAPL"),
                          ("conId", 5620), ("symbol", "CCJ"), ("primaryExchange", "NYSE"))),
    Sample("market rule", rm.market_rule(26, [(0.0, 0.01)]), "marketRule", (("#0", 26),)),
    Sample("pnl", pm.pnl(9, PnlFigures(12.5, 100.0, 3.0)), "pnl", (("#0", 9), ("#1", 12.5))),
    Sample("pnl single", pm.pnl_single(9, PnlFigures(12.5, 100.0, 3.0, 10.0, 1870.0)),
           "pnlSingle", (("#0", 9), ("#1", 10), ("#2", 12.5))),
    Sample("head timestamp", head_timestamp(9, "20100104 14:30:00"), "headTimestamp",
           (("#0", 9), ("#1", "20100104 14:30:00"))),
    Sample("histogram", histogram_data(9, [Bucket(187.0, 12)]), "histogramData",
           (("#0", 9),)),
    Sample("historical ticks", historical_ticks(9, "MIDPOINT", [HistTick(1741100400, 187.1)]),
           "historicalTicks", (("#0", 9), ("price", 187.1))),
    Sample("historical bid/ask ticks", historical_ticks(9, "BID_ASK", [HistTick(
        1741100400, bid=187.1, ask=187.2, bid_size=300.5, ask_size=400.0)]),
        "historicalTicksBidAsk", (("#0", 9), ("priceBid", 187.1), ("priceAsk", 187.2),
                                  ("sizeBid", near(300.5, 0.5)), ("sizeAsk", 400))),
    Sample("historical trade ticks", historical_ticks(9, "TRADES", [HistTick(
        1741100400, price=187.1, size=50.0, exchange="NASDAQ")]), "historicalTicksLast",
        (("#0", 9), ("price", 187.1), ("size", 50), ("exchange", "NASDAQ"))),
    Sample("historical schedule", historical_schedule(9, SCHEDULE), "historicalSchedule",
           (("#0", 9), ("#3", "US/Eastern"), ("startDateTime", "20250304-09:30:00"),
            ("refDate", "20250304"))),
    Sample("soft dollar tiers", ["77", "9", "0"], "softDollarTiers", (("#0", 9),)),
    Sample("family codes", ["78", "0"], "familyCodes"),
    Sample("news providers", ["85", "0"], "newsProviders"),
]  # fmt: skip


def _values(value: Any, key: str, out: list[tuple[str, Any]], depth: int = 0) -> None:
    out.append((key, value))
    if depth > 2 or isinstance(value, str | int | float | bytes | bool) or value is None:
        return
    attrs = getattr(value, "__dict__", None)
    if dataclasses.is_dataclass(value):
        attrs = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    elif hasattr(value, "_asdict"):  # a NamedTuple
        attrs = value._asdict()
    elif isinstance(value, list | tuple | set):
        for item in value:
            _values(item, key, out, depth + 1)
        return
    if attrs is None and hasattr(value, "__slots__"):
        attrs = {name: getattr(value, name, None) for name in value.__slots__}
    for name, item in (attrs or {}).items():
        _values(item, name, out, depth + 1)


def _same(value: Any, expected: Any) -> bool:
    # some decoders hand over an integer field as its text (ib_async's underConId)
    if isinstance(expected, int) and isinstance(value, str):
        return value == str(expected)
    return bool(value == expected)


def _check(sample: Sample, family: str, decoded: Decoded) -> list[str]:
    problems = [f"decoder failure: {f}" for f in decoded.failures]
    callback = sample.ibapi_callback if family.startswith("ibapi") and sample.ibapi_callback \
        else sample.callback  # fmt: skip
    calls = decoded.named(callback)
    if not calls:
        return [*problems, f"no {callback} call in {[c[0] for c in decoded.calls]}"]
    found: list[tuple[str, Any]] = []
    for args in calls:
        for i, arg in enumerate(args):
            _values(arg, f"#{i}", found)
    for key, expected in sample.marks:
        if not any(k == key and _same(v, expected) for k, v in found if v is not None):
            seen = [v for k, v in found if k == key][:4]
            problems.append(f"{key}={expected!r} not decoded (saw {seen!r})")
    return problems


_CASES = [(name, decode, version) for name, decode, versions in DECODERS for version in versions]


@pytest.mark.parametrize(("family", "decode", "version"), _CASES,
                         ids=[f"{name}@{version}" for name, _, version in _CASES])  # fmt: skip
def test_every_message_decodes_at_this_version(family: str, decode: Any, version: int) -> None:
    problems: dict[str, list[str]] = {}
    for sample in SAMPLES:
        adapted = for_client(list(sample.fields), version)
        if adapted is None:
            continue  # the message does not exist at this version (checked below)
        found = _check(sample, family, decode(adapted, version))
        if found:
            problems[sample.name] = found
    assert not problems, problems


def test_messages_newer_than_the_session_are_not_sent() -> None:
    assert for_client(om.completed_orders_end(), 149) is None
    assert for_client(om.completed_orders_end(), 150) == om.completed_orders_end()
    assert for_client(mm.tick_by_tick_mid_point(9, 1, 2.0), 136) is None
    assert for_client(pm.pnl(9, PnlFigures(1.0, 2.0, 3.0)), 126) is None
    assert for_client(cm.historical_data_update(9, BARS[0], "x"), 123) is None
    assert for_client(historical_schedule(9, SCHEDULE), 164) is None


def test_v178_messages_pass_unchanged() -> None:
    for sample in SAMPLES:
        assert for_client(sample.fields, 178) is sample.fields


def test_a_message_of_an_unknown_shape_is_dropped_not_raised() -> None:
    assert for_client(["5", "7"], 157) is None  # an OPEN_ORDER cut short

"""ib_async objects <-> domain models."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import ib_async
import msgspec
import pytest
from ib_async import (
    AccountValue,
    BarData,
    ComboLeg,
    ContractDetails,
    OptionChain,
    OptionComputation,
    Order,
    OrderStatus,
    PortfolioItem,
    ScanData,
    Ticker,
    Trade,
)

from adapters.ib import mapping
from domain.contract import Contract, ContractQuery
from domain.orders import OrderRequest
from domain.scanner import ScanQuery

NOW = datetime(2025, 10, 5, 14, 0, tzinfo=UTC)
UNSET = 1.7976931348623157e308


@pytest.mark.parametrize(
    ("min_size", "size_increment", "expected"),
    [
        (1.0, 1.0, {"min_size": 1.0, "size_increment": 1.0}),
        (0.0001, 0.0001, {"min_size": 0.0001, "size_increment": 0.0001}),
        (0.0, 0.0, {}),  # IB sent nothing: ib_async's default
        (float(2**127 - 1), UNSET, {}),  # IB's unset decimal and unset double
        (float("nan"), 100.0, {"size_increment": 100.0}),
    ],
)
def test_contract_details_carry_ibs_size_rules_when_set(
    min_size: float, size_increment: float, expected: dict[str, float]
) -> None:
    details = ContractDetails(
        contract=ib_async.Contract(secType="STK", conId=265598, symbol="AAPL", currency="USD"),
        minSize=min_size,
        sizeIncrement=size_increment,
        suggestedSizeIncrement=100.0,
    )
    contract = mapping.from_ib_details(details)
    assert (contract.con_id, contract.symbol) == (265598, "AAPL")
    rules = msgspec.to_builtins(contract)
    assert {k: rules[k] for k in ("min_size", "size_increment") if k in rules} == expected


def test_contract_round_trip_keeps_every_field() -> None:
    original = Contract(
        sec_type="BAG",
        con_id=28812380,
        symbol="SPY",
        last_trade_date_or_contract_month="20261218",
        strike=600.0,
        right="C",
        multiplier="100",
        exchange="SMART",
        primary_exchange="ARCA",
        currency="USD",
        local_symbol="SPY   261218C00600000",
        trading_class="SPY",
        include_expired=True,
        sec_id_type="ISIN",
        sec_id="US78462F1030",
        description="a spread",
        issuer_id="e1",
        combo_legs_descrip="legs",
        combo_legs=[
            {
                "con_id": 1,
                "ratio": 1,
                "action": "BUY",
                "exchange": "SMART",
                "open_close": 0,
                "short_sale_slot": 0,
                "designated_location": "",
                "exempt_code": -1,
            }
        ],
        delta_neutral_contract={"con_id": 2, "delta": 0.5, "price": 10.0},
    )
    ib_contract = mapping.to_ib_contract(original)
    assert ib_contract.comboLegs == [ComboLeg(conId=1, ratio=1, action="BUY", exchange="SMART")]
    assert ib_contract.deltaNeutralContract.delta == 0.5
    assert mapping.from_ib_contract(ib_contract) == original


def test_query_to_ib_contract_and_rights_from_ib() -> None:
    query = ContractQuery(symbol="CCJ", sec_type="OPT", right="CALL", strike=120.0)
    ib_contract = mapping.to_ib_contract(query)
    assert (ib_contract.symbol, ib_contract.right, ib_contract.conId) == ("CCJ", "C", 0)
    put = ib_async.Contract(secType="OPT", symbol="X", right="PUT", strike=UNSET)
    assert mapping.from_ib_contract(put).right == "P"
    assert mapping.from_ib_contract(put).strike == 0.0


def test_ticker_to_quote_nan_and_minus_one_are_null() -> None:
    ticker = Ticker(contract=ib_async.Stock("AAPL", "SMART", "USD"))
    ticker.contract.conId = 265598
    ticker.bid, ticker.bidSize, ticker.ask, ticker.last = 155.7, 5.0, -1.0, 155.75
    quote = mapping.quote(ticker, symbol="AAPL", now=NOW, market_data_type=3)
    assert (quote.bid, quote.bid_size, quote.last_price) == (155.7, 5.0, 155.75)
    assert quote.ask is None and quote.ask_size is None and quote.volume is None
    assert quote.timestamp == NOW and quote.contract_id == 265598
    assert quote.market_data_type == "delayed"
    assert not isinstance(quote.delta, float)  # stocks carry no greeks at all


def test_option_quote_has_model_greeks() -> None:
    ticker = Ticker(contract=ib_async.Option("CCJ", "20261218", 120, "C", "SMART"))
    ticker.modelGreeks = OptionComputation(0, 0.45, 0.52, 3.1, 0.0, 0.02, 0.1, -0.03, 118.0)
    quote = mapping.quote(ticker, symbol="CCJ", now=NOW, market_data_type=1)
    assert (quote.implied_volatility, quote.delta, quote.market_data_type) == (0.45, 0.52, "live")


def test_bars_are_iso_with_dates_for_daily() -> None:
    eastern = datetime(2025, 10, 3, 9, 30, tzinfo=ZoneInfo("US/Eastern"))
    intraday = mapping.bar(BarData(eastern, 1, 2, 0.5, 1.5, 2500, 1.25, 125), "5 mins")
    assert intraday.time == "2025-10-03T09:30:00-04:00"
    assert (intraday.count, intraday.wap, intraday.volume) == (125, 1.25, 2500)
    daily = mapping.bar(BarData(date(2025, 10, 3), 1, 2, 0.5, 1.5, -1, math.nan, 0), "1 day")
    assert daily.time == "2025-10-03" and daily.count is None and daily.wap is None


def test_option_position_respects_the_multiplier() -> None:
    option = ib_async.Option("CCJ", "20261218", 120.0, "C", "SMART", multiplier="100")
    option.conId = 99
    item = PortfolioItem(option, 2.0, 3.0, 600.0, 250.0, 100.0, 0.0, "DU1")
    pos = mapping.position(option, 2.0, 250.0, item)
    assert (pos.average_cost, pos.market_price, pos.market_value) == (2.5, 3.0, 600.0)
    assert (pos.unrealized_pnl, pos.multiplier, pos.expiry, pos.right) == (
        100.0,
        100.0,
        "20261218",
        "C",
    )
    missing = PortfolioItem(option, 2.0, 3.0, math.nan, 250.0, math.nan, math.nan, "DU1")
    computed = mapping.position(option, 2.0, 250.0, missing)
    assert computed.market_value == 600.0 and computed.unrealized_pnl == 100.0
    bare = mapping.position(ib_async.Stock("AAPL", "SMART", "USD"), 10, 150.0)
    assert bare.market_price is None and bare.average_cost == 150.0 and bare.strike is None


def test_account_summary_prefers_the_base_currency() -> None:
    rows = [
        AccountValue("DU1", "AccountType", "INDIVIDUAL", "", ""),
        AccountValue("DU1", "NetLiquidation", "125000.50", "USD", ""),
        AccountValue("DU1", "TotalCashValue", "1.0", "EUR", ""),
        AccountValue("DU1", "TotalCashValue", "25000.75", "USD", ""),
        AccountValue("DU1", "BuyingPower", "150000", "USD", ""),
        AccountValue("DU1", "Leverage", "1.5", "", ""),
        AccountValue("DU2", "NetLiquidation", "1", "USD", ""),
    ]
    summary = mapping.account_summary("DU1", rows)
    assert summary.account_type == "INDIVIDUAL" and summary.currency == "USD"
    assert summary.net_liquidation_value == 125000.50 and summary.total_cash_value == 25000.75
    assert summary.buying_power == 150000 and summary.leverage == 1.5
    assert summary.realized_pnl is None


def test_order_request_to_ib_order() -> None:
    gtd = OrderRequest(
        action="sell",
        quantity=3,
        order_type="stop_limit",
        limit_price=9.5,
        stop_price=10.0,
        time_in_force="GTD",
        tif="20251231 23:59:59",
        outside_rth=True,
        transmit=False,
        client_order_id="k-1",
        contract_id=5,
    )
    order = mapping.to_ib_order(gtd, account="DU1")
    assert (order.action, order.orderType, order.totalQuantity) == ("SELL", "STP LMT", 3)
    assert (order.lmtPrice, order.auxPrice, order.tif) == (9.5, 10.0, "GTD")
    assert order.goodTillDate == "20251231 23:59:59" and order.orderRef == "k-1"
    assert order.outsideRth and not order.transmit and order.account == "DU1"
    day = mapping.to_ib_order(
        OrderRequest(action="BUY", quantity=1, contract_id=5, tif="20251231 23:59:59"),
        account=None,
    )
    assert day.goodTillDate == "" and day.lmtPrice == UNSET and day.orderType == "MKT"


def test_trade_to_order_result_and_open_order() -> None:
    order = Order(
        orderId=7,
        clientId=17,
        action="BUY",
        totalQuantity=10,
        orderType="LMT",
        lmtPrice=150.25,
        tif="GTC",
        orderRef="k-1",
        permId=99,
        account="DU1",
    )
    status = OrderStatus(
        orderId=7,
        status="Submitted",
        filled=4,
        remaining=6,
        avgFillPrice=150.1,
        permId=99,
        lastFillPrice=150.2,
    )
    trade = Trade(ib_async.Stock("AAPL", "SMART", "USD"), order, status)
    trade.contract.conId = 265598
    result = mapping.order_result(trade)
    assert (result.order_id, result.status, result.filled_quantity) == (7, "Submitted", 4)
    assert (result.remaining_quantity, result.perm_id, result.client_order_id) == (6, 99, "k-1")
    listed = mapping.open_order(trade)
    assert (listed.contract_id, listed.limit_price, listed.stop_price) == (265598, 150.25, None)
    assert listed.client_order_id == "k-1" and listed.good_till_date is None


def test_scan_rows_chains_and_scanner_parameters() -> None:
    details = ContractDetails(contract=ib_async.Stock("NVDA", "SMART", "USD"), industry="Tech")
    details.contract.conId = 4815747
    row = mapping.scan_result(ScanData(0, details, "", "", "", ""))
    assert (row.contract_id, row.symbol, row.rank, row.sector) == (4815747, "NVDA", 1, "Tech")
    chain = mapping.candidate_chain(
        OptionChain("SMART", 1447060, "CCJ", "100", ["20270115", "20260213"], [125, 120.0])
    )
    assert chain.underlying_con_id == "1447060" and chain.expirations[0] == "20260213"
    assert chain.strikes == [120.0, 125.0] and chain.multiplier == "100"
    sub, tags = mapping.scanner_subscription(
        ScanQuery(filters={"priceAbove": "5"}, above_volume=1000, rows=10)
    )
    assert (sub.numberOfRows, sub.aboveVolume, sub.scanCode) == (10, 1000, "MOST_ACTIVE")
    assert sub.abovePrice == UNSET and tags[0].tag == "priceAbove"
    xml = """<ScanParameterResponse><InstrumentList><Instrument><type>STK</type></Instrument>
      </InstrumentList><LocationTree><Location><locationCode>STK.US</locationCode><LocationTree>
      <Location><locationCode>STK.US.MAJOR</locationCode></Location></LocationTree></Location>
      </LocationTree><ScanTypeList><ScanType><scanCode>TOP_PERC_GAIN</scanCode></ScanType>
      </ScanTypeList><FilterList><RangeFilter><id>PRICE</id><AbstractField><code>priceAbove</code>
      </AbstractField></RangeFilter></FilterList></ScanParameterResponse>"""
    params = mapping.scanner_parameters(xml)
    assert params.location_codes == ["STK.US", "STK.US.MAJOR"]
    assert (params.instruments, params.scan_codes, params.filters) == (
        ["STK"],
        ["TOP_PERC_GAIN"],
        ["priceAbove"],
    )

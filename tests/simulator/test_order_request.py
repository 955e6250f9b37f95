"""placeOrder as ib_async 2.1.0 encodes it, decoded by the simulator, with every optional
section that shifts the later fields."""

from __future__ import annotations

from ib_async import (
    ComboLeg,
    Contract,
    DeltaNeutralContract,
    LimitOrder,
    MarketOrder,
    Option,
    Order,
    PriceCondition,
    Stock,
    TagValue,
)

from adapters.simulated_gateway.tws.order_request import read_place_order
from tests.simulator.decoding import encoded_request


def _place(order_id: int, contract: Contract, order: Order):
    return read_place_order(encoded_request("placeOrder", order_id, contract, order))


def test_plain_limit_order() -> None:
    order = LimitOrder("BUY", 100, 187.25, tif="GTC", outsideRth=True, orderRef="r1", account="DU1")
    fields = encoded_request("placeOrder", 12, Stock("AAPL", "SMART", "USD"), order)
    assert len(fields) == 114 and fields[84] == "0"  # the layout the protocol notes measured
    req = read_place_order(fields)
    assert (req.order_id, req.contract.symbol, req.contract.exchange) == (12, "AAPL", "SMART")
    assert (req.action, req.total_quantity, req.order_type) == ("BUY", 100.0, "LMT")
    assert (req.lmt_price, req.aux_price, req.tif) == (187.25, None, "GTC")
    assert (req.outside_rth, req.order_ref, req.account, req.transmit) == (True, "r1", "DU1", True)
    assert req.what_if is False


def test_market_what_if_order() -> None:
    order = MarketOrder("SELL", 3)
    order.whatIf = True
    req = _place(13, Option("AAPL", "20250620", 200, "C", "SMART"), order)
    assert (req.order_type, req.lmt_price, req.what_if) == ("MKT", None, True)
    assert (req.contract.sec_type, req.contract.strike, req.contract.right) == ("OPT", 200.0, "C")


def test_stop_limit_with_parent_and_good_till_date() -> None:
    order = Order(
        action="SELL",
        totalQuantity=5,
        orderType="STP LMT",
        lmtPrice=99.5,
        auxPrice=100.0,
        tif="GTD",
        goodTillDate="20250321 16:00:00 US/Eastern",
        parentId=12,
        transmit=False,
    )
    req = _place(14, Stock("AAPL", "SMART", "USD"), order)
    assert (req.lmt_price, req.aux_price, req.parent_id, req.transmit) == (99.5, 100.0, 12, False)
    assert req.good_till_date == "20250321 16:00:00 US/Eastern"


def test_optional_sections_do_not_shift_what_if() -> None:
    combo = Contract(secType="BAG", symbol="AAPL", exchange="SMART", currency="USD")
    combo.comboLegs = [ComboLeg(1, 1, "BUY", "SMART"), ComboLeg(2, 1, "SELL", "SMART")]
    combo.deltaNeutralContract = DeltaNeutralContract(265598, 0.5, 200.0)
    order = LimitOrder("BUY", 1, 2.5)
    order.whatIf = True
    order.smartComboRoutingParams = [TagValue("NonGuaranteed", "1")]
    order.algoStrategy = "Adaptive"
    order.algoParams = [TagValue("adaptivePriority", "Normal")]
    order.hedgeType = "D"
    order.hedgeParam = "0.5"
    order.deltaNeutralOrderType = "MKT"
    order.scalePriceIncrement = 0.1
    order.conditions = [PriceCondition(price=210.0, conId=265598, exch="SMART")]
    req = _place(15, combo, order)
    assert (req.order_id, req.lmt_price, req.what_if) == (15, 2.5, True)

"""Order groups and the global cancel through the real IbBroker against the simulator."""

from __future__ import annotations

import pytest
from ib_async import IB, LimitOrder, Stock

from adapters.ib.broker import IbBroker
from adapters.simulated_gateway import TwsSimulator
from application.container import build_services
from domain.brackets import BracketRequest, GroupLeg, PriceTarget
from domain.errors import DomainError, OrderRejected
from domain.orders import OrderRequest
from domain.safety import Caller, TradingPolicy
from tests.fakes import FakeGateway
from tests.ib.conftest import eventually, stock

REST = Caller(name="ops", transport="rest")


async def test_a_bracket_is_placed_as_a_family(broker: IbBroker, simulator: TwsSimulator) -> None:
    aapl = await stock(broker)
    quote = await broker.snapshot(aapl)
    assert quote.bid
    low = round(quote.bid * 0.9, 2)
    entry = OrderRequest(action="BUY", quantity=10, order_type="LMT", limit_price=low,
                         contract_id=aapl.con_id, client_order_id="fam-1")  # fmt: skip
    bracket = BracketRequest(entry=entry, take_profit=PriceTarget(percent=5),
                             stop_loss=PriceTarget(offset=2))  # fmt: skip
    legs = bracket.legs(low, "bracket:fam-1")
    parent, take, stop = await broker.place_group([(aapl, leg) for leg in legs])
    assert parent.status == "Submitted"
    assert take.status == stop.status == "PreSubmitted"
    specs = {r.spec.order_ref: r.spec for r in simulator.world.open_orders()}
    assert specs["fam-1:tp"].parent_id == specs["fam-1:sl"].parent_id == specs["fam-1"].order_id
    assert specs["fam-1:sl"].oca_group == "bracket:fam-1" and specs["fam-1:sl"].oca_type == 1
    assert specs["fam-1:sl"].aux_price == round(low - 2, 2)
    found = await broker.find_order("fam-1:tp")
    assert found is not None and found.order_id == take.order_id


async def test_a_refused_first_leg_places_nothing(
    broker: IbBroker, simulator: TwsSimulator
) -> None:
    aapl = await stock(broker)
    entry = OrderRequest(action="BUY", quantity=1, order_type="LMT", limit_price=100.0,
                         contract_id=aapl.con_id)  # fmt: skip
    legs = BracketRequest(entry=entry, stop_loss=PriceTarget(price=90.0)).legs(100.0, "g")
    simulator.faults.reject_next_order("Simulated margin check failed")
    with pytest.raises(OrderRejected):
        await broker.place_group([(aapl, leg) for leg in legs])
    await eventually(lambda: not simulator.world.open_orders())


async def test_cancel_all_cancels_every_clients_orders(
    broker: IbBroker, simulator: TwsSimulator
) -> None:
    services = build_services(broker, FakeGateway(), policy=TradingPolicy())
    assert services.account_actions is not None
    aapl = await stock(broker)
    mine = await broker.place_order(aapl, OrderRequest(
        action="BUY", quantity=1, order_type="LMT", limit_price=100.0, contract_id=aapl.con_id))  # fmt: skip
    other = IB()
    await other.connectAsync("127.0.0.1", simulator.port, clientId=99, timeout=4)
    try:
        (contract,) = await other.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
        theirs = other.placeOrder(contract, LimitOrder("BUY", 2, 100.0))
        await eventually(lambda: theirs.orderStatus.status == "Submitted")
        result = await services.account_actions.cancel_all(REST, confirm=True)
        assert result.complete and result.count == 2
        assert {(o.order.client_id, o.final_status) for o in result.orders} == {
            (mine_client(broker), "Cancelled"), (99, "Cancelled")}  # fmt: skip
        await eventually(lambda: theirs.orderStatus.status == "Cancelled")
        assert mine.order_id in {o.order.order_id for o in result.orders}
        (entry,) = await services.desk.recent_audit(1)
        assert entry.action == "cancel_all" and entry.result is not None
    finally:
        other.disconnect()


def mine_client(broker: IbBroker) -> int:
    assert broker.supervisor.ib is not None
    return broker.supervisor.ib.client.clientId


async def test_a_refused_group_says_which_earlier_leg_already_filled(
    broker: IbBroker, simulator: TwsSimulator
) -> None:
    # Legs that are not held back by transmit=False (OCA) reach the market one by one: a market
    # leg fills before IB refuses the next (an off-tick price, 110). The refusal must say so.
    aapl = await stock(broker)
    market = OrderRequest(action="BUY", quantity=3, order_type="MKT", contract_id=aapl.con_id)
    off_tick = OrderRequest(action="SELL", quantity=3, order_type="LMT", limit_price=999.123,
                            contract_id=aapl.con_id)  # fmt: skip
    legs = [GroupLeg(role="member", order=market, oca_group="fills-first", oca_type=1),
            GroupLeg(role="member", order=off_tick, oca_group="fills-first", oca_type=1)]  # fmt: skip
    with pytest.raises(DomainError) as caught:  # 110 is the caller's error: InvalidRequest
        await broker.place_group([(aapl, leg) for leg in legs])
    legs_said = caught.value.details["legs"]
    assert legs_said[0]["status"] == "Filled" and legs_said[0]["filled_quantity"] == 3
    assert "Filled before the group was withdrawn" in caught.value.message
    assert f"order {legs_said[0]['order_id']} (3 filled)" in caught.value.message
    assert legs_said[1]["status"] == "Cancelled" and not legs_said[1]["filled_quantity"]
    assert str(caught.value) == caught.value.message

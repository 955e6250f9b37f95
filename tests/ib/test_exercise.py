"""Exercising and lapsing options through the real IbBroker against the simulator."""

from __future__ import annotations

import pytest

from adapters.ib.broker import IbBroker
from adapters.simulated_gateway import TwsSimulator
from domain.contract import Contract, ContractQuery
from domain.errors import ContractNotFound, OrderRejected
from domain.orders import OrderRequest
from tests.ib.conftest import stock


async def _long_call(broker: IbBroker, simulator: TwsSimulator, quantity: int) -> Contract:
    aapl = await stock(broker)
    chain = next(p for p in simulator.world.option_params("AAPL", aapl.con_id)
                 if p.exchange == "SMART")  # fmt: skip
    (option,) = await broker.contract_details(
        ContractQuery(
            symbol="AAPL",
            sec_type="OPT",
            exchange="SMART",
            currency="USD",
            last_trade_date_or_contract_month=chain.expirations[-1],
            strike=chain.strikes[len(chain.strikes) // 2],
            right="C",
            trading_class=chain.trading_class,
        )
    )
    order = OrderRequest(action="BUY", quantity=quantity, order_type="MKT",
                         contract_id=option.con_id)  # fmt: skip
    await broker.place_order(option, order)
    account = simulator.world.account

    async def held() -> float:
        found = await broker.positions(account)
        return next((p.position for p in found if p.contract_id == option.con_id), 0.0)

    # The client's own position list (what the adapter compares with) has the fill
    while await held() != quantity:  # bounded by the test's time limit (conftest)
        pass
    return option


async def test_exercise_answers_the_positions_ib_reported(
    broker: IbBroker, simulator: TwsSimulator
) -> None:
    option = await _long_call(broker, simulator, 3)
    account = simulator.world.account
    done = await broker.exercise_option(option, "exercise", 2, account, False)
    assert (done.status, done.quantity) == ("done", 2)
    assert (done.position_before, done.position_after) == (3, 1)
    stock_row = next(p for p in done.positions_after if p.asset_class == "STK")
    assert stock_row.position == 200 and stock_row.average_cost == option.strike
    lapsed = await broker.exercise_option(option, "lapse", 1, account, False)
    assert (lapsed.status, lapsed.position_after, lapsed.quantity) == ("done", 0, 1)
    assert [p.asset_class for p in lapsed.positions_after] == ["STK"]


async def test_ibs_refusals_are_domain_errors(broker: IbBroker, simulator: TwsSimulator) -> None:
    option = await _long_call(broker, simulator, 1)
    account = simulator.world.account
    with pytest.raises(OrderRejected) as more:
        await broker.exercise_option(option, "exercise", 5, account, False)
    assert more.value.details["ib_code"] == 321
    assert "exceeds" in more.value.message
    aapl = await stock(broker)
    with pytest.raises(OrderRejected, match="Only options"):
        await broker.exercise_option(aapl, "exercise", 1, account, False)
    gone = Contract(sec_type="OPT", con_id=987654321, symbol="AAPL", exchange="SMART")
    with pytest.raises(ContractNotFound):
        await broker.exercise_option(gone, "exercise", 1, account, False)

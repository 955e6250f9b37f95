"""IB's order size rules (contract details' minSize / sizeIncrement) through the real IbBroker
against the simulated gateway, which sends and enforces them as IB does."""

from __future__ import annotations

import asyncio

import pytest

from adapters.ib.broker import IbBroker
from domain.contract import ContractQuery
from domain.errors import InvalidRequest
from domain.orders import OrderRequest
from tests.ib.conftest import stock


async def test_contract_details_carry_the_size_rules(broker: IbBroker) -> None:
    async with asyncio.timeout(10):
        aapl = await stock(broker)
        assert (aapl.min_size, aapl.size_increment) == (1.0, 1.0)  # whole shares
        [eurusd] = await broker.contract_details(
            ContractQuery(symbol="EUR", sec_type="CASH", exchange="IDEALPRO", currency="USD")
        )
        assert (eurusd.min_size, eurusd.size_increment) == (0.01, 0.01)  # to the cent
        futures = await broker.contract_details(ContractQuery(symbol="ES", sec_type="FUT"))
        assert futures and {(f.min_size, f.size_increment) for f in futures} == {(1.0, 1.0)}
        chains = await broker.option_chains("AAPL", "STK", aapl.con_id)
        smart = next(c for c in chains if c.exchange == "SMART")
        [option] = await broker.qualify_options(
            "AAPL", smart, smart.expirations[:1], smart.strikes[:1], ["C"]
        )
        assert (option.min_size, option.size_increment) == (1.0, 1.0)


@pytest.mark.parametrize("quantity", [1.5, 1e-30])
async def test_the_simulator_rejects_an_off_increment_order_as_ib_does(
    broker: IbBroker, quantity: float
) -> None:
    """The last line of defence, should an order get past our own check: IB's error 321."""
    async with asyncio.timeout(10):
        aapl = await stock(broker)
        order = OrderRequest(
            action="BUY", quantity=quantity, order_type="LMT", limit_price=1.0,
            contract_id=aapl.con_id,
        )  # fmt: skip
        with pytest.raises(InvalidRequest, match=r"321.*does not conform to market rule"):
            await broker.place_order(aapl, order)
        assert await broker.open_orders() == []


async def test_fx_trades_in_cents(broker: IbBroker) -> None:
    async with asyncio.timeout(10):
        [eurusd] = await broker.contract_details(ContractQuery(con_id=12087792))
        order = OrderRequest(
            action="BUY", quantity=20_000.25, order_type="LMT", limit_price=0.5,
            contract_id=eurusd.con_id,
        )  # fmt: skip
        placed = await broker.place_order(eurusd, order)
        assert placed.status in ("PreSubmitted", "Submitted")
        [working] = await broker.open_orders()
        assert working.quantity == 20_000.25

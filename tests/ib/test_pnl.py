"""Portfolio and live PnL through the real IbBroker and the simulator."""

from __future__ import annotations

import asyncio

import pytest

from adapters.ib.broker import IbBroker
from domain.errors import ContractNotFound
from domain.orders import OrderRequest
from tests.ib.conftest import eventually, stock


async def test_portfolio_and_pnl_after_a_round_trip(broker: IbBroker) -> None:
    aapl = await stock(broker)
    assert await broker.portfolio(None) == []
    first = await broker.account_pnl(None)
    assert (first.daily_pnl, first.unrealized_pnl, first.realized_pnl) == (0.0, 0.0, 0.0)
    flat = await broker.position_pnl(None, aapl.con_id)
    assert flat.position == 0 and flat.unrealized_pnl is None and flat.market_value == 0.0

    await broker.place_order(aapl, OrderRequest(action="BUY", quantity=10, contract_id=aapl.con_id))
    await broker.place_order(aapl, OrderRequest(action="SELL", quantity=4, contract_id=aapl.con_id))

    async def settled() -> None:
        for _ in range(100):
            single = await broker.position_pnl(None, aapl.con_id)
            if single.position == 6 and single.realized_pnl:
                return
            await asyncio.sleep(0.05)
        raise AssertionError("the position's PnL never showed the fills")

    await settled()
    single = await broker.position_pnl(None, aapl.con_id)
    assert single.market_value and single.market_value > 0
    assert single.realized_pnl is not None and single.realized_pnl < 0  # spread and fees
    await eventually(lambda: bool(broker.supervisor.ib.portfolio()))  # type: ignore[union-attr]
    (item,) = await broker.portfolio("DU1234567")
    assert (item.contract_id, item.position, item.currency) == (aapl.con_id, 6, "USD")
    assert item.average_cost > 0 and item.market_price and item.unrealized_pnl is not None
    total = await broker.account_pnl("DU1234567")
    assert total.realized_pnl == pytest.approx(single.realized_pnl, abs=0.02)


async def test_an_unknown_contract_is_not_found_and_can_be_asked_again(broker: IbBroker) -> None:
    for _ in range(2):
        with pytest.raises(ContractNotFound):
            await broker.position_pnl(None, 999_999_999)
    ib = broker.supervisor.ib
    assert ib is not None and not ib.wrapper.pnlSingleKey2ReqId

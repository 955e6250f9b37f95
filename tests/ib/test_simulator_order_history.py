"""Through the IB adapter, against a simulator whose caps are small: placing and cancelling
more orders than the simulator keeps leaves its bookkeeping at the cap, every open order
where it was, and the recent ones still answered for."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.ib.broker import IbBroker
from adapters.simulated_gateway import SimWorld, TwsSimulator
from adapters.simulated_gateway.tws.handlers import order_events
from adapters.simulated_gateway.tws.order_ids import OrderIds
from domain.orders import OrderRequest
from tests.ib.conftest import SESSION_OPEN, connected, stock

KEPT = 4  # finished orders the exchange keeps
IDS_KEPT = 8  # finished orders whose client ids the wire side keeps


@pytest.fixture
async def small_simulator() -> AsyncIterator[TwsSimulator]:
    sim = TwsSimulator(SimWorld(start=SESSION_OPEN, finished_kept=KEPT), port=0, tick_interval=0.1)
    sim.order_ids = OrderIds(finished_kept=IDS_KEPT)
    await sim.start()
    try:
        yield sim
    finally:
        await sim.stop()


@pytest.fixture
async def small_broker(small_simulator: TwsSimulator) -> AsyncIterator[IbBroker]:
    async with connected(small_simulator) as broker:
        yield broker


async def test_placing_and_cancelling_past_the_cap_keeps_the_simulator_bounded(
    small_broker: IbBroker, small_simulator: TwsSimulator
) -> None:
    aapl = await stock(small_broker)

    def far_limit(key: str) -> OrderRequest:
        return OrderRequest(
            action="BUY", quantity=1, order_type="LMT", limit_price=1.0,
            contract_id=aapl.con_id, client_order_id=key,
        )  # fmt: skip

    resting = [(await small_broker.place_order(aapl, far_limit(f"rest-{i}"))).order_id
               for i in range(3)]  # fmt: skip
    cancelled = []
    for i in range(3 * IDS_KEPT):
        placed = await small_broker.place_order(aapl, far_limit(f"churn-{i}"))
        assert (await small_broker.cancel_order(placed.order_id)).order_id == placed.order_id
        cancelled.append(placed.order_id)

    world = small_simulator.world
    assert [r.spec.order_id for r in world.completed_orders()] == cancelled[-KEPT:]
    assert len(world.open_orders()) == 3
    assert small_simulator.order_ids.known == 3 + IDS_KEPT  # the open ones and the cap
    open_ids = {o.order_id for o in await small_broker.open_orders()}
    assert open_ids == set(resting)
    recent = await small_broker.order_status(cancelled[-1])
    assert recent is not None and recent.status == "Cancelled"
    completed = await small_broker.completed_orders()
    churned = [f"churn-{i}" for i in range(3 * IDS_KEPT)]
    assert [c.client_order_id for c in completed] == churned[-KEPT:]
    # an open order placed before all of that still cancels
    assert (await small_broker.cancel_order(resting[0])).order_id == resting[0]


async def test_what_a_session_last_told_is_remembered_for_the_most_recent_orders_only(
    small_broker: IbBroker, small_simulator: TwsSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(order_events, "LAST_SENT_KEPT", 3)
    aapl = await stock(small_broker)
    order = OrderRequest(action="BUY", quantity=1, order_type="LMT", limit_price=1.0,
                         contract_id=aapl.con_id)  # fmt: skip
    placed = [(await small_broker.place_order(aapl, order)).order_id for _ in range(6)]
    for order_id in placed[:5]:
        await small_broker.cancel_order(order_id)

    [session] = small_simulator.sessions()
    assert list(session.order_events._last_sent) == placed[2:5]  # the most recently told
    # an order told of long ago still gets its next state
    assert (await small_broker.cancel_order(placed[5])).order_id == placed[5]
    status = await small_broker.order_status(placed[5])
    assert status is not None and status.status == "Cancelled"

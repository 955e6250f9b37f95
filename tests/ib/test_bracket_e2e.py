"""The issue's own test: a bracket BUY 100 AAPL with take-profit +1 % and stop-loss -1 %,
through REST (and through MCP), on the simulator with a clock moved by hand.

Seed 25 from 10:00 New York on 2025-03-04 is a path on which AAPL's bid rises 1 % above
the entry about 3.5 hours later, before its last price falls 1 % below: the take-profit fills
and IB (the simulator) cancels the stop-loss. Nothing is faked: the price path is the
simulator's own, found by scanning seeds once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastmcp import Client

from adapters.ib.broker import IbBroker
from adapters.simulated_gateway import SimWorld, TwsSimulator
from application.container import Services, build_services
from domain.safety import TradingPolicy
from entrypoints.http.app import create_http_app
from entrypoints.mcp.server import build_mcp
from tests.fakes import FakeGateway
from tests.ib.conftest import SESSION_OPEN, eventually, make_broker

AAPL = 265598
RISING_SEED = 25
BRACKET = {
    "contract_id": AAPL,
    "action": "BUY",
    "quantity": 100,
    "order_type": "MKT",
    "take_profit": {"percent": 1},
    "stop_loss": {"percent": 1},
}


@contextlib.asynccontextmanager
async def _service() -> AsyncIterator[tuple[TwsSimulator, IbBroker, Services]]:
    sim = TwsSimulator(SimWorld(seed=RISING_SEED, start=SESSION_OPEN), port=0, tick_interval=3600)
    await sim.start()
    broker = make_broker(sim)
    await broker.start()
    try:
        assert await broker.wait_connected(5)
        policy = TradingPolicy(require_preview_mcp=True)
        yield sim, broker, build_services(broker, FakeGateway(), policy=policy)
    finally:
        await broker.stop()
        await sim.stop()


async def _until_exit_fills(sim: TwsSimulator, take_profit_id: int, broker: IbBroker) -> None:
    """Move the market on a minute at a time until the simulator fills the take-profit."""
    ib = broker.supervisor.ib
    assert ib is not None
    for _ in range(6 * 60):
        sim.advance(60)
        await asyncio.sleep(0)
        done = [r for r in sim.world.completed_orders() if r.status == "Filled"]
        if len(done) == 2:
            break
    await eventually(
        lambda: any(
            t.order.orderId == take_profit_id and t.orderStatus.status == "Filled"
            for t in ib.trades()
        )
    )


def _world_orders(sim: TwsSimulator) -> list[Any]:
    return [*sim.world.open_orders(), *sim.world.completed_orders()]


async def test_a_bracket_through_rest_takes_its_profit_and_cancels_its_stop() -> None:
    async with _service() as (sim, broker, services):
        app = create_http_app(services)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
            placed = await http.post(
                "/ibkr/orders/bracket", json=BRACKET, headers={"Idempotency-Key": "done-when-1"}
            )
            assert placed.status_code == 200, placed.text
            bracket = placed.json()
            parent, take_profit, stop_loss = (
                bracket[role] for role in ("parent", "take_profit", "stop_loss")
            )
            assert len(_world_orders(sim)) == 3  # the simulator has the whole family
            assert parent["status"] == "Filled"  # a market entry fills at once
            assert take_profit["status"] in ("Submitted", "PreSubmitted")
            assert stop_loss["status"] == "PreSubmitted"  # a stop waits for its trigger
            again = await http.post(
                "/ibkr/orders/bracket", json=BRACKET, headers={"Idempotency-Key": "done-when-1"}
            )
            assert again.json()["duplicate"] is True
            assert again.json()["stop_loss"]["order_id"] == stop_loss["order_id"]
            assert len(_world_orders(sim)) == 3  # and nothing new reached IB

            await _until_exit_fills(sim, take_profit["order_id"], broker)
            status = (await http.get(f"/ibkr/orders/{take_profit['order_id']}")).json()
            stopped = (await http.get(f"/ibkr/orders/{stop_loss['order_id']}")).json()
            assert status["status"] == "Filled"
            assert status["average_fill_price"] >= parent["average_fill_price"] * 1.0099
            assert stopped["status"] == "Cancelled"

            fills = (await http.get("/ibkr/executions")).json()
            sides = sorted((f["side"], f["order_id"]) for f in fills)
            assert sides == [("BUY", parent["order_id"]), ("SELL", take_profit["order_id"])]
            assert all(f["commission"] > 0 for f in fills)
            closing = next(f for f in fills if f["side"] == "SELL")
            assert closing["realized_pnl"] > 0

            async def realized() -> float:
                return (await http.get("/ibkr/pnl")).json()["realized_pnl"] or 0.0

            for _ in range(100):
                if await realized() > 0:
                    break
                sim.advance(1)
                await asyncio.sleep(0.05)
            assert await realized() == pytest.approx(closing["realized_pnl"], abs=0.05)

            audit = (await http.get("/ibkr/orders/audit")).json()
            steps = [(e["action"], e["order_id"]) for e in audit]
            assert steps == [("place_bracket", parent["order_id"])] * 2


async def test_the_same_bracket_through_mcp_previews_then_places() -> None:
    async with (
        _service() as (sim, broker, services),
        Client(build_mcp(services), timeout=20) as client,
    ):
        preview = await client.call_tool("preview_bracket_order", BRACKET)
        token = preview.structured_content["confirmation_token"]
        legs = preview.structured_content["legs"]
        assert [leg["role"] for leg in legs] == ["parent", "take_profit", "stop_loss"]
        assert all(leg["what_if"]["commission"] for leg in legs)
        placed = await client.call_tool(
            "place_bracket_order",
            {**BRACKET, "client_order_id": "mcp-1", "confirmation_token": token},
        )
        bracket = placed.structured_content
        assert len(_world_orders(sim)) == 3
        await _until_exit_fills(sim, bracket["take_profit"]["order_id"], broker)
        stop = await client.call_tool(
            "get_order_status", {"order_id": bracket["stop_loss"]["order_id"]}
        )
        assert stop.structured_content["status"] == "Cancelled"
        audit = await client.call_tool("get_order_audit", {"limit": 5})
        actions = [e["action"] for e in audit.structured_content["entries"]]
        assert actions == ["place_bracket", "preview_bracket"]

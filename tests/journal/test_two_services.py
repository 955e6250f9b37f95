"""Issue 12, defects 2 and 3, as they happened: separate service processes on one gateway
account share the journal; no key is placed twice, and a key reused after a restart is
compared with the order it placed."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from adapters.simulated_gateway import TwsSimulator
from tests.journal.services import service_process

AAPL, MSFT = 265598, 272093
KEYS = [f"dual-{n}" for n in range(5)]
PER_KEY = 6  # concurrent requests per key, alternating between the two services


@pytest.fixture
async def gateway() -> AsyncIterator[TwsSimulator]:
    sim = TwsSimulator(port=0, tick_interval=0.2)
    await sim.start()
    try:
        yield sim
    finally:
        await sim.stop()


def orders_by_ref(sim: TwsSimulator) -> Counter[str]:
    records = [*sim.world.open_orders(), *sim.world.completed_orders()]
    return Counter(r.spec.order_ref for r in records if r.spec.order_ref)


def body(**changes: object) -> dict[str, object]:
    return {"contract_id": AAPL, "action": "BUY", "quantity": 1, "order_type": "LMT",
            "limit_price": 1.0, **changes}  # fmt: skip


async def test_two_services_never_place_one_key_twice(
    gateway: TwsSimulator, journal_dsn: str, tmp_path: Path
) -> None:
    async with (
        service_process(ib_port=gateway.port, client_id=31, journal_dsn=journal_dsn,
                        state=tmp_path) as a,
        service_process(ib_port=gateway.port, client_id=32, journal_dsn=journal_dsn,
                        state=tmp_path) as b,
        httpx.AsyncClient(timeout=40) as http,
    ):  # fmt: skip

        async def place(url: str, key: str) -> httpx.Response:
            return await http.post(
                f"{url}/ibkr/orders/place", json=body(), headers={"Idempotency-Key": key}
            )

        calls = [place((a, b)[n % 2], key) for key in KEYS for n in range(PER_KEY)]
        async with asyncio.timeout(60):
            replies = await asyncio.gather(*calls)
    assert [r.status_code for r in replies] == [200] * len(calls), [r.text for r in replies]
    for n in range(len(KEYS)):
        answers = [r.json() for r in replies[n * PER_KEY : (n + 1) * PER_KEY]]
        assert len({a["order_id"] for a in answers}) == 1, answers  # one order per key ...
        assert sum(a.get("duplicate") is True for a in answers) == PER_KEY - 1
    await asyncio.sleep(0.3)
    assert orders_by_ref(gateway) == dict.fromkeys(KEYS, 1)  # ... and one at the gateway


async def test_a_key_reused_after_a_restart_is_refused(
    gateway: TwsSimulator, journal_dsn: str, tmp_path: Path
) -> None:
    key = {"Idempotency-Key": "restart-1"}
    async with httpx.AsyncClient(timeout=20) as http:
        async with service_process(ib_port=gateway.port, client_id=41, journal_dsn=journal_dsn,
                                   state=tmp_path) as url:  # fmt: skip
            first = await http.post(f"{url}/ibkr/orders/place", json=body(), headers=key)
            assert first.status_code == 200
        async with service_process(ib_port=gateway.port, client_id=41, journal_dsn=journal_dsn,
                                   state=tmp_path) as url:  # fmt: skip
            other = body(contract_id=MSFT, action="SELL", quantity=7, order_type="MKT")
            other.pop("limit_price")
            refused = await http.post(f"{url}/ibkr/orders/place", json=other, headers=key)
            assert refused.status_code == 409, refused.text
            error = refused.json()
            assert error["code"] == "idempotency_conflict"
            assert error["order_id"] == first.json()["order_id"]
            assert {"action", "contract_id", "quantity", "order_type"} <= set(error["fields"])
            again = await http.post(f"{url}/ibkr/orders/place", json=body(), headers=key)
            assert again.status_code == 200 and again.json()["duplicate"] is True
            assert again.json()["order_id"] == first.json()["order_id"]
    assert orders_by_ref(gateway) == {"restart-1": 1}

"""Single-flight, the TTL cache and the historical data limiter (fake time)."""

from __future__ import annotations

import asyncio

import pytest

from adapters.ib.pacing import FreshFlight, HistoricalPacer, SingleFlight, TtlCache
from domain.errors import RateLimited
from tests.fakes import FakeClock


async def test_single_flight_shares_one_execution_and_survives_a_cancelled_caller() -> None:
    flight = SingleFlight()
    calls = 0
    release = asyncio.Event()

    async def work() -> int:
        nonlocal calls
        calls += 1
        await release.wait()
        return 42

    first = asyncio.create_task(flight.run("k", work))
    second = asyncio.create_task(flight.run("k", work))
    impatient = asyncio.create_task(flight.run("k", work))
    await asyncio.sleep(0)
    impatient.cancel()
    release.set()
    assert await first == 42 and await second == 42 and calls == 1
    assert len(flight) == 0
    assert await flight.run("k", work) == 42 and calls == 2  # finished: a new key run


async def test_single_flight_shares_failures_too() -> None:
    flight = SingleFlight()

    async def boom() -> None:
        await asyncio.sleep(0)
        raise RateLimited("slow down")

    results = await asyncio.gather(
        *(flight.run("k", boom) for _ in range(3)), return_exceptions=True
    )
    assert all(isinstance(r, RateLimited) for r in results)


async def test_fresh_flight_answers_a_call_from_an_execution_begun_after_it() -> None:
    flight = FreshFlight()
    started = 0
    gates: list[asyncio.Event] = []

    async def work() -> int:
        nonlocal started
        started += 1
        gate = asyncio.Event()
        gates.append(gate)
        await gate.wait()
        return started

    first = asyncio.create_task(flight.run(work))
    await asyncio.sleep(0)
    # made while the first runs: none of these may take its (older) answer
    burst = [asyncio.create_task(flight.run(work)) for _ in range(5)]
    impatient = asyncio.create_task(flight.run(work))
    await asyncio.sleep(0)
    assert started == 1
    gates[0].set()
    assert await first == 1
    await asyncio.sleep(0)
    impatient.cancel()
    await asyncio.sleep(0)
    assert started == 2  # one execution for the whole burst, the cancelled call left it alone
    gates[1].set()
    assert [await t for t in burst] == [2] * 5
    assert impatient.cancelled()
    later = asyncio.create_task(flight.run(work))  # nothing runs: it starts its own
    for _ in range(3):
        await asyncio.sleep(0)
    assert started == 3
    gates[2].set()
    assert await later == 3


async def test_fresh_flight_shares_a_failure_and_the_next_call_runs_again() -> None:
    flight = FreshFlight()
    runs = 0

    async def boom() -> None:
        nonlocal runs
        runs += 1
        await asyncio.sleep(0)
        raise RateLimited("slow down")

    # made before the run began: all three share it
    results = await asyncio.gather(*(flight.run(boom) for _ in range(3)), return_exceptions=True)
    assert all(isinstance(r, RateLimited) for r in results) and runs == 1
    with pytest.raises(RateLimited):
        await flight.run(boom)
    assert runs == 2


def test_ttl_cache_expires_and_evicts_the_oldest() -> None:
    clock = FakeClock()
    cache: TtlCache[int] = TtlCache(clock, ttl=15.0, max_entries=2)
    cache.put("a", 1)
    clock.advance(14.9)
    assert cache.get("a") == 1
    clock.advance(0.2)
    assert cache.get("a") is None
    cache.put("x", 1)
    cache.put("y", 2)
    cache.put("z", 3)
    assert cache.get("x") is None and cache.get("z") == 3


async def test_six_per_contract_in_two_seconds() -> None:
    clock = FakeClock()
    pacer = HistoricalPacer(clock)
    for _ in range(6):
        await pacer.acquire(("AAPL", "SMART", "TRADES"))
    assert clock.sleeps == []
    await pacer.acquire(("MSFT", "SMART", "TRADES"))  # another contract: no wait
    assert clock.sleeps == []
    await pacer.acquire(("AAPL", "SMART", "TRADES"))
    assert clock.sleeps == [pytest.approx(2.3)]  # IB's 2 s plus a safety margin


async def test_sixty_per_ten_minutes_then_rate_limited() -> None:
    clock = FakeClock()
    pacer = HistoricalPacer(clock)
    for i in range(60):
        await pacer.acquire(("C", i))
        clock.advance(1.0)
    with pytest.raises(RateLimited) as caught:
        await pacer.acquire(("C", "one more"))
    assert caught.value.retry_after == 541  # the first request leaves the window at 600.3 s
    clock.advance(540.3)
    await pacer.acquire(("C", "one more"))


async def test_a_request_queued_behind_a_waiting_one_waits_within_its_own_limit() -> None:
    import asyncio

    class SlowClock(FakeClock):
        async def sleep(self, seconds: float) -> None:
            await asyncio.sleep(1.0)  # the first caller holds the pacer a real second
            await super().sleep(seconds)

    pacer = HistoricalPacer(SlowClock())
    for _ in range(6):
        await pacer.acquire(("AAPL", "SMART", "TRADES"))
    first = asyncio.create_task(pacer.acquire(("AAPL", "SMART", "TRADES")))  # waits its slot
    await asyncio.sleep(0)
    with pytest.raises(RateLimited, match="waiting for their slots"):
        await pacer.acquire(("MSFT", "SMART", "TRADES"), budget=0.1)
    await first

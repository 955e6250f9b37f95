"""The supervisor's state machine, back-off and de-duplication, with a fake IB (no TCP)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from adapters.ib.backoff import Backoff
from adapters.ib.settings import IbSettings
from adapters.ib.supervisor import ConnectionSupervisor
from application.clock import SystemClock
from domain.errors import NotConnected
from tests.fakes import FakeClock
from tests.ib.conftest import eventually
from tests.ib.fake_ib import FakeIBFactory, client_id_in_use, refuse

SETTINGS = IbSettings(
    connect_timeout=2.0, backoff_initial=1.0, backoff_max=60.0, backoff_jitter=0.2
)


class YieldingClock(FakeClock):
    """Fake time: sleeps advance it at once but still yield to the event loop."""

    async def sleep(self, seconds: float) -> None:
        await super().sleep(seconds)
        await asyncio.sleep(0)


@pytest.fixture
def clock() -> YieldingClock:
    return YieldingClock()


@pytest.fixture
async def make(clock: YieldingClock) -> AsyncIterator:
    made: list[ConnectionSupervisor] = []

    def build(factory: FakeIBFactory, **changes: object) -> ConnectionSupervisor:
        sup = ConnectionSupervisor(
            replace(SETTINGS, **changes),  # type: ignore[arg-type]
            clock=clock,
            ib_factory=factory,  # type: ignore[arg-type]
            rng=lambda: 0.5,
        )
        made.append(sup)
        return sup

    yield build
    for sup in made:
        await sup.stop()


def test_backoff_doubles_to_the_cap_with_bounded_jitter() -> None:
    ladder = Backoff(1.0, 60.0, 0.0)
    assert [ladder.next_delay() for _ in range(8)] == [1, 2, 4, 8, 16, 32, 60, 60]
    ladder.reset()
    assert ladder.next_delay() == 1
    jittered = Backoff(1.0, 60.0, 0.2, rng=lambda: 1.0)
    assert [jittered.next_delay() for _ in range(3)] == pytest.approx([0.8, 1.6, 3.2])
    with pytest.raises(ValueError):
        Backoff(0.0, 1.0)


async def test_start_never_fails_and_retries_with_backoff(make, clock: YieldingClock) -> None:
    factory = FakeIBFactory(refuse, refuse, refuse)
    sup = make(factory)
    await sup.start()
    assert await sup.wait_connected(2)
    assert len(factory.made) == 4
    assert clock.sleeps == pytest.approx([0.9, 1.8, 3.6])  # 1, 2, 4 s minus 10 % jitter
    assert sup.state == "connected" and sup.status().server_version == "178"
    assert factory.made[-1].RaiseRequestErrors is True


async def test_not_connected_fails_at_once_with_retry_after() -> None:
    sup = ConnectionSupervisor(
        replace(SETTINGS, backoff_initial=30.0, backoff_max=30.0),
        clock=SystemClock(),  # real time: the first attempt fails, then a 30 s pause
        ib_factory=FakeIBFactory(*([refuse] * 10)),  # type: ignore[arg-type]
        rng=lambda: 0.0,
    )
    with pytest.raises(NotConnected):
        sup.require()
    await sup.start()
    try:
        await eventually(lambda: sup._next_attempt_at is not None, 2)
        with pytest.raises(NotConnected) as caught:
            sup.require()
        assert 29 <= caught.value.retry_after <= 31
        status = sup.status()
        assert not status.connected and status.state == "disconnected"
        assert "Connect call failed" in (status.last_error or "")
    finally:
        await sup.stop()


async def test_a_double_disconnect_event_is_one_reconnect(make) -> None:
    factory = FakeIBFactory()
    sup = make(factory)
    await sup.start()
    assert await sup.wait_connected(1)
    first = factory.made[0]
    first.drop(times=2)  # ib_async issue 207
    await asyncio.sleep(0.05)
    assert await sup.wait_connected(1)
    for _ in range(5):
        await asyncio.sleep(0)
    assert len(factory.made) == 2 and sup.ib is factory.made[1]
    first.disconnectedEvent.emit()  # a late duplicate from the old session is ignored
    await asyncio.sleep(0.05)
    assert len(factory.made) == 2 and sup.connected


async def test_client_id_in_use_backs_off_and_retries(make, clock: YieldingClock) -> None:
    factory = FakeIBFactory(client_id_in_use)
    sup = make(factory, connect_timeout=30.0)
    await sup.start()
    # well within the 30 s connect timeout: 326 fails the attempt at once
    await eventually(lambda: len(factory.made) >= 2, 2)
    assert await sup.wait_connected(1)
    assert clock.sleeps == pytest.approx([0.9])
    assert "already in use" in (sup.last_error or "")


async def test_ib_notices_change_status_never_the_socket(make) -> None:
    factory = FakeIBFactory()
    sup = make(factory)
    lost: list[object] = []
    sup.on_data_lost(lost.append)
    told: list[str] = []
    sup.on_ib_notice(lambda: told.append(sup.state))
    await sup.start()
    assert await sup.wait_connected(1)
    ib = factory.made[0]
    ib.errorEvent.emit(-1, 2103, "Market data farm connection is broken:usfarm", None)
    assert sup.state == "connected"
    (farm,) = sup.status().data_farms
    assert (farm.name, farm.kind, farm.ok, farm.code) == ("usfarm", "market_data", False, 2103)
    assert sup.status().broken_market_data_farms == (farm,)
    ib.errorEvent.emit(-1, 2106, "HMDS data farm connection is OK:ushmds", None)
    assert [(f.name, f.kind, f.ok) for f in sup.status().data_farms] == [
        ("ushmds", "historical", True),
        ("usfarm", "market_data", False),
    ]
    assert sup.status().connectivity_lost is None
    ib.errorEvent.emit(-1, 1100, "Connectivity between IB and TWS has been lost.", None)
    assert sup.state == "degraded" and sup.status().connected
    notice = sup.status().connectivity_lost
    assert notice is not None and notice.code == 1100
    assert notice.message == "Connectivity between IB and TWS has been lost."
    assert sup.status().outages()[0].startswith("connection to IB lost (IB 1100 since ")
    assert sup.require() is ib
    with pytest.raises(NotConnected):
        sup.require(trading=True)
    ib.errorEvent.emit(-1, 1102, "restored - data maintained", None)
    assert sup.state == "connected" and lost == []
    assert sup.status().connectivity_lost is None
    ib.errorEvent.emit(-1, 1100, "lost", None)
    ib.errorEvent.emit(-1, 1101, "restored - data lost", None)
    assert sup.state == "connected" and lost == [ib]
    assert sup.status().connectivity_lost is None
    ib.errorEvent.emit(-1, 2104, "Market data farm connection is OK:usfarm", None)
    assert sup.farms["usfarm"].ok and sup.status().broken_market_data_farms == ()
    # every notice that changed the status was told, after the change (2103 ... 2104)
    assert told == ["connected", "connected", "degraded", "connected", "degraded", "connected",
                    "connected"]  # fmt: skip
    await asyncio.sleep(0.05)
    assert len(factory.made) == 1 and ib.isConnected()


async def test_a_new_session_forgets_what_ib_told_the_old_one(make) -> None:
    factory = FakeIBFactory()
    sup = make(factory)
    await sup.start()
    assert await sup.wait_connected(1)
    factory.made[0].errorEvent.emit(-1, 2103, "Market data farm connection is broken:usfarm", None)
    factory.made[0].errorEvent.emit(
        -1, 1100, "Connectivity between IB and TWS has been lost.", None
    )
    assert sup.status().broken_market_data_farms and sup.status().connectivity_lost
    await sup.reconnect()
    assert len(factory.made) == 2
    assert sup.status().data_farms == () and sup.status().connectivity_lost is None
    assert sup.status().outages() == []


async def test_errors_reach_the_watchers_of_their_request(make) -> None:
    factory = FakeIBFactory()
    sup = make(factory)
    await sup.start()
    assert await sup.wait_connected(1)
    with sup.watch(7) as watch:
        factory.made[0].errorEvent.emit(7, 201, "Order rejected", None)
        factory.made[0].errorEvent.emit(8, 202, "someone else's", None)
    assert watch.errors == [(201, "Order rejected")] and watch.arrived.is_set()
    assert sup.notices.watched == 0


async def test_reconnect_replaces_the_session_now(make) -> None:
    factory = FakeIBFactory()
    sup = make(factory)
    hooked: list[object] = []
    sup.on_connect(hooked.append)
    await sup.start()
    assert await sup.wait_connected(1)
    await sup.reconnect()
    assert len(factory.made) == 2 and sup.ib is factory.made[1]
    assert not factory.made[0].isConnected() and factory.made[0].wrapper.closed == 1
    assert hooked == factory.made


async def test_reconnect_that_fails_says_why(make) -> None:
    factory = FakeIBFactory(None, refuse, refuse)
    sup = make(factory)
    await sup.start()
    assert await sup.wait_connected(1)
    with pytest.raises(NotConnected) as caught:
        await sup.reconnect()
    assert "Connect call failed" in caught.value.message


async def test_an_inactive_farm_notice_clears_the_broken_farm_it_names(make) -> None:
    """IB writes 2107/2108 as '...available upon demand.usfarm' (no colon): the farm broken
    by 2103 must be seen as fine again, or readiness would stay 503 until a reconnect."""
    factory = FakeIBFactory()
    sup = make(factory)
    await sup.start()
    assert await sup.wait_connected(1)
    ib = factory.made[0]
    ib.errorEvent.emit(-1, 2103, "Market data farm connection is broken:usfarm", None)
    assert [f.name for f in sup.status().broken_market_data_farms] == ["usfarm"]
    text = "Market data farm connection is inactive but should be available upon demand.usfarm"
    ib.errorEvent.emit(-1, 2108, text, None)
    assert sup.status().broken_market_data_farms == ()
    assert [f.name for f in sup.status().data_farms] == ["usfarm"]

"""IbCalls' time limits: the answer's limit counts from the send; waiting to be sent (behind an
earlier request of the same kind, or ib_async's throttle) has a bound of its own."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest
from eventkit import Event

from adapters.ib.calls import IbCalls
from adapters.ib.settings import IbSettings
from domain.errors import BrokerTimeout, NotConnected


class _Client:
    def __init__(self) -> None:
        self.throttleStart = Event("throttleStart")
        self.throttleEnd = Event("throttleEnd")


class _Session:
    def __init__(self) -> None:
        self.client = _Client()
        # what IbCalls tidies after each request (ib_async's per-request result maps)
        self.wrapper = SimpleNamespace(_results={}, _futures={})


class _Supervisor:
    """Just what IbCalls asks of the connection supervisor."""

    def __init__(self) -> None:
        self.ib: Any = _Session()
        self.hooks: list[Any] = []

    def require(self, *, trading: bool = False) -> Any:
        if self.ib is None:
            raise NotConnected("down")
        return self.ib

    def on_connect(self, hook: Any) -> None:
        self.hooks.append(hook)
        hook(self.ib)


def make_calls(**settings: float) -> tuple[IbCalls, _Supervisor]:
    supervisor = _Supervisor()
    calls = IbCalls(supervisor, IbSettings(**settings))  # type: ignore[arg-type]
    return calls, supervisor


async def answer_after(seconds: float, value: str) -> str:
    await asyncio.sleep(seconds)
    return value


async def test_a_queued_request_gets_its_whole_limit_from_when_it_is_sent() -> None:
    calls, _ = make_calls(request_timeout=0.3, queue_timeout=2.0)
    # Three requests of one fixed-key kind, 0.2 s each: the last waits 0.4 s for its turn,
    # longer than the 0.3 s limit, and still succeeds.
    results = await asyncio.gather(
        *(
            calls.run("the positions", lambda ib, i=i: answer_after(0.2, f"#{i}"), serial="pos")
            for i in range(3)
        )
    )
    assert results == ["#0", "#1", "#2"]


async def test_the_answer_itself_is_still_bounded() -> None:
    calls, _ = make_calls(request_timeout=0.1, queue_timeout=2.0)
    with pytest.raises(BrokerTimeout, match=r"did not answer the positions within 0\.1 s"):
        await calls.run("the positions", lambda ib: answer_after(1.0, "late"), serial="pos")


async def test_waiting_for_a_turn_has_its_own_bound() -> None:
    calls, _ = make_calls(request_timeout=1.0, queue_timeout=0.2)
    slow = asyncio.ensure_future(
        calls.run("the open orders", lambda ib: answer_after(0.5, "first"), serial="open")
    )
    await asyncio.sleep(0)
    with pytest.raises(BrokerTimeout, match=r"not sent within 0\.2 s: an earlier request"):
        await calls.run("the open orders", lambda ib: answer_after(0.0, "second"), serial="open")
    assert await slow == "first"
    # the lock was not leaked by the request that gave up
    assert await calls.run("the open orders", lambda ib: answer_after(0, "third"), serial="open")


async def test_time_held_back_by_the_throttle_does_not_count() -> None:
    calls, supervisor = make_calls(request_timeout=0.2, queue_timeout=2.0)
    client = supervisor.ib.client
    client.throttleStart.emit()  # ib_async holds messages back ...
    asyncio.get_running_loop().call_later(0.5, client.throttleEnd.emit)  # ... for 0.5 s
    assert await calls.run("the positions", lambda ib: answer_after(0.1, "ok")) == "ok"


async def test_the_throttle_wait_is_bounded_and_names_the_throttle() -> None:
    calls, supervisor = make_calls(request_timeout=1.0, queue_timeout=0.2)
    supervisor.ib.client.throttleStart.emit()
    with pytest.raises(BrokerTimeout, match="throttle"):
        await calls.run("the positions", lambda ib: answer_after(5, "never sent"))


async def test_an_answer_that_comes_while_the_throttle_holds_is_not_thrown_away() -> None:
    """Under sustained load throttleEnd may not come for long; a request already answered
    (or failed, e.g. by a dropped session) is answered at once, not after queue_timeout."""
    calls, supervisor = make_calls(request_timeout=1.0, queue_timeout=5.0)
    supervisor.ib.client.throttleStart.emit()
    async with asyncio.timeout(1):
        assert await calls.run("the positions", lambda ib: answer_after(0.05, "ok")) == "ok"


async def test_a_new_session_starts_unthrottled() -> None:
    calls, supervisor = make_calls(request_timeout=0.2, queue_timeout=0.2)
    supervisor.ib.client.throttleStart.emit()
    old = supervisor.ib
    supervisor.ib = _Session()
    for hook in supervisor.hooks:
        hook(supervisor.ib)
    old.client.throttleStart.emit()  # the dead session no longer counts
    assert await calls.run("the positions", lambda ib: answer_after(0, "ok")) == "ok"


async def test_not_connected_fails_at_once() -> None:
    calls, supervisor = make_calls()
    supervisor.ib = None
    with pytest.raises(NotConnected):
        await calls.run("the positions", lambda ib: answer_after(0, "x"))

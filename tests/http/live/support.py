"""Helpers for the live data tests: a server-sent events reader, waiting, a quote."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from domain.market_data import Quote
from tests.fakes import FakeClock

AAPL, MSFT = 12345678, 23456789
TIMEOUT = 10.0


@dataclass
class Event:
    event: str | None = None
    id: str | None = None
    data: list[str] = field(default_factory=list)
    comment: str | None = None

    @property
    def json(self) -> Any:
        return json.loads("\n".join(self.data))


async def sse(response: httpx.Response) -> AsyncIterator[Event]:
    """The SSE messages of a response (comments are messages of their own here)."""
    current = Event()
    async for line in response.aiter_lines():
        if line == "":
            yield current
            current = Event()
        elif line.startswith(":"):
            current.comment = line[1:].strip()
        else:
            name, _, value = line.partition(": ")
            if name == "data":
                current.data.append(value)
            else:
                setattr(current, name, value)


async def next_event(events: AsyncIterator[Event]) -> Event:
    """The next message that is not a keep-alive comment."""
    while True:
        message = await anext(events)
        if message.comment is None:
            return message


def quote(clock: FakeClock, bid: float) -> Quote:
    return Quote(symbol="AAPL", bid=bid, ask=bid + 0.02, timestamp=clock.now())


async def until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(TIMEOUT):
        while not condition():  # noqa: ASYNC110 - polling state that has no event
            await asyncio.sleep(0.01)

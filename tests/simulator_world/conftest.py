"""Fixtures for the simulated gateway's world side: a market frozen at a known instant."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.simulated_gateway import SimWorld
from adapters.simulated_gateway.model import ContractQuery, Instrument, WorldEvent

# Wednesday 4 February 2026, 10:00 in New York: a regular session is under way.
MARKET_OPEN = datetime(2026, 2, 4, 15, 0, tzinfo=UTC)


@pytest.fixture
def world() -> SimWorld:
    return SimWorld(seed=7, start=MARKET_OPEN)


@pytest.fixture
def events(world: SimWorld) -> list[WorldEvent]:
    seen: list[WorldEvent] = []
    world.add_listener(seen.append)
    return seen


def one(world: SimWorld, **fields: object) -> Instrument:
    found = world.find(ContractQuery(**fields))  # type: ignore[arg-type]
    assert len(found) == 1, found
    return found[0]

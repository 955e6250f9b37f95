from __future__ import annotations

import pytest

from tests.fakes import FakeBroker, FakeClock
from tests.monitor.support import Feed, RecordingGateway


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def broker() -> FakeBroker:
    return FakeBroker()


@pytest.fixture
def feed(broker: FakeBroker, clock: FakeClock) -> Feed:
    return Feed(broker, clock)


@pytest.fixture
def gateway(clock: FakeClock, feed: Feed) -> RecordingGateway:
    return RecordingGateway(clock, feed)

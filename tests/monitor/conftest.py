"""The monitored world: the suite's fake broker and clock, a SPY feed, a recording gateway."""

from __future__ import annotations

import pytest

from tests.fakes import FakeBroker, FakeClock
from tests.monitor.support import Feed, RecordingGateway


@pytest.fixture
def feed(broker: FakeBroker, clock: FakeClock) -> Feed:
    return Feed(broker, clock)


@pytest.fixture
def gateway(clock: FakeClock, feed: Feed) -> RecordingGateway:
    return RecordingGateway(clock, feed)

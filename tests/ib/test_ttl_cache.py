"""The adapter's small TTL cache: expired entries do not wait for their key to be read."""

from __future__ import annotations

from adapters.ib.pacing import TtlCache
from tests.fakes import FakeClock


def test_expired_entries_leave_when_a_new_one_comes():
    clock = FakeClock()
    cache: TtlCache[str] = TtlCache(clock, ttl=10, max_entries=100)
    for key in range(50):
        cache.put(key, "big")
    clock.advance(11)
    cache.put("new", "value")
    assert len(cache) == 1 and cache.get("new") == "value"

"""Pages of a list answer: forward by key, or from the end (bars) back in time."""

from __future__ import annotations

import pytest

from domain.errors import InvalidRequest
from domain.market_data import Bar, HistoricalData
from entrypoints.catalog.operation import Paging
from entrypoints.catalog.paging import cut, page_result

FORWARD = Paging(key=lambda n: n, mcp_default=3, maximum=10)
BACKWARD = Paging(key=lambda b: b.time, mcp_default=2, maximum=10, items="bars", from_end=True,
                  what="bars")  # fmt: skip


def test_forward_pages_follow_the_key_of_the_last_item() -> None:
    items = list(range(100, 108))
    first = cut(items, FORWARD, 3, None)
    assert first.items == [100, 101, 102] and first.next_cursor == "102" and first.total == 8
    second = cut(items, FORWARD, 3, first.next_cursor)
    assert second.items == [103, 104, 105]
    last = cut(items, FORWARD, 3, second.next_cursor)
    assert last.items == [106, 107] and last.next_cursor is None
    with pytest.raises(InvalidRequest) as gone:
        cut(items, FORWARD, 3, "999")
    assert gone.value.field == "cursor"


def test_bars_page_from_the_latest_back_in_time() -> None:
    bars = [
        Bar(time=f"2025-01-0{d}", open=1, high=1, low=1, close=1, volume=1) for d in range(1, 6)
    ]
    data = HistoricalData(symbol="AAPL", bars=bars)
    latest, page = page_result(data, BACKWARD, None, None, door_default=2)
    assert [b.time for b in latest.bars] == ["2025-01-04", "2025-01-05"]
    assert latest.next_cursor == "2025-01-04" and latest.total == 5 and latest.truncated
    assert "latest 2" in latest.message and "older" in latest.message
    older, _ = page_result(data, BACKWARD, None, latest.next_cursor, door_default=2)
    assert [b.time for b in older.bars] == ["2025-01-02", "2025-01-03"]
    oldest, _ = page_result(data, BACKWARD, None, older.next_cursor, door_default=2)
    assert [b.time for b in oldest.bars] == ["2025-01-01"] and oldest.truncated is False
    whole, page = page_result(data, BACKWARD, None, None, door_default=None)
    assert whole is data and page is None  # REST's default: the contract's full answer

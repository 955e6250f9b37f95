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


@pytest.mark.parametrize("paging", [FORWARD, BACKWARD], ids=["forward", "from_end"])
def test_items_sharing_a_key_are_each_reached_once(paging: Paging) -> None:
    # TWS's own orders all carry order id 0; two accounts may hold one contract.
    from types import SimpleNamespace

    items = [SimpleNamespace(time=0, n=n) for n in range(7)] + [
        SimpleNamespace(time=n, n=n) for n in range(7, 10)
    ]
    keyed = Paging(key=lambda i: i.time, mcp_default=3, maximum=10, from_end=paging.from_end)
    seen, cursor = [], None
    for _ in range(10):
        page = cut(items, keyed, 3, cursor)
        seen += [i.n for i in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sorted(seen) == list(range(10))


def test_open_orders_page_by_perm_id_or_client_and_order_id() -> None:
    from types import SimpleNamespace

    from entrypoints.catalog.orders import OPEN_ORDERS

    tws = SimpleNamespace(perm_id=0, client_id=0, order_id=0)
    mine = SimpleNamespace(perm_id=5551, client_id=17, order_id=4)
    assert OPEN_ORDERS.key(tws) == "0:0" and OPEN_ORDERS.key(mine) == 5551

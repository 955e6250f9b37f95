"""A made-up order book around the live quote, and the depth operations that move it.

The best level on each side is the quote itself (its price and size); deeper levels sit one
tick apart with sizes drawn from a hash of (seed, conId, side, price, time), so the book is a
pure function of the quote and the instant. Each level's size holds for one to four seconds,
and the deepest level comes and goes, which gives clients inserts, updates and deletes.

Operations touch the tail of the book only for inserts and deletes (every other change is an
update in place): IB's clients either shift levels on insert/delete (IB's reference API) or
overwrite by position (ib_async), and tail-only edits mean the same book for both.
"""

from __future__ import annotations

import math

from adapters.simulated_gateway.model import Quote

from .market import round_to_tick
from .price_path import key_of, mix64

# The simulator's cap on rows per side (an assumption: IB documents no single figure).
MAX_ROWS = 20
_LOTS = {"STK": 100.0, "CASH": 1e6, "FUT": 1.0}
_SMART_VENUES = ("NSDQ", "ARCA", "NYSE", "BATS", "IEX", "EDGX", "MEMX")
_DEPTH = 6  # stream tag, apart from the market's own draws

Level = tuple[float, float, str]  # price, size, market maker ("" outside smart depth)
Book = tuple[list[Level], list[Level]]  # bids, asks; position 0 is the best level
Operation = tuple[int, int, int, Level]  # position, operation, side, level


def book(
    quote: Quote,
    *,
    tick: float,
    sec_type: str,
    rows: int,
    seed: int,
    con_id: int,
    now: float,
    smart: bool,
) -> Book:
    """The book at ``now`` (epoch seconds): ``rows`` levels a side at most, empty if no quote."""
    if not (_quoted(quote.bid, quote.bid_size) and _quoted(quote.ask, quote.ask_size)):
        return [], []
    rows = max(1, min(rows, MAX_ROWS))
    second = math.floor(now)
    key = key_of(seed, con_id, _DEPTH)
    visible = rows if rows <= 2 or mix64(key ^ second) % 4 else rows - 1
    lot = _LOTS.get(sec_type, 1.0)
    sides = []
    for side, top, top_size, direction in ((1, quote.bid, quote.bid_size, -1),
                                           (0, quote.ask, quote.ask_size, 1)):  # fmt: skip
        levels: list[Level] = []
        for i in range(visible):
            price = round_to_tick(top + direction * i * tick, tick)
            if price <= 0:
                break
            ticks = round(price / tick)
            h = mix64(key_of(key, side, ticks))
            period = 1 + h % 4
            size = top_size if i == 0 else lot * (1 + mix64(h ^ (second // period)) % 30)
            maker = _SMART_VENUES[(h >> 8) % len(_SMART_VENUES)] if smart else ""
            levels.append((price, size, maker))
        sides.append(levels)
    return sides[0], sides[1]


def _quoted(price: float, size: float) -> bool:
    return price == price and not math.isinf(price) and size > 0


def changes(old: Book, new: Book) -> list[Operation]:
    """Operations that turn ``old`` into ``new``: updates in place, inserts/deletes at the tail."""
    ops: list[Operation] = []
    for side, before, after in ((1, old[0], new[0]), (0, old[1], new[1])):
        shared = min(len(before), len(after))
        for pos in range(shared):
            if before[pos] != after[pos]:
                ops.append((pos, 1, side, after[pos]))
        for pos in range(shared, len(after)):
            ops.append((pos, 0, side, after[pos]))
        for pos in range(len(before) - 1, shared - 1, -1):  # deepest first
            ops.append((pos, 2, side, before[pos]))
    return ops

"""Depth, real-time bar, tick-by-tick and request-parameter builders through ib_async's Decoder,
and the depth book's operations."""

from __future__ import annotations

import pytest

from adapters.simulated_gateway.markets.depth_book import MAX_ROWS, book, changes
from adapters.simulated_gateway.model import Quote
from adapters.simulated_gateway.tws import messages_market as mm
from tests.simulator.decoding import decode, only_call

pytestmark = pytest.mark.usefixtures("no_decoder_errors")
NAN = float("nan")


def test_market_depth_and_l2() -> None:
    assert only_call(mm.market_depth(4, 2, mm.UPDATE, mm.BID_SIDE, 229.97, 300.0)) == (
        "updateMktDepth",
        (4, 2, 1, 1, 229.97, 300.0),
    )
    assert only_call(
        mm.market_depth_l2(4, 0, "ARCA", mm.INSERT, mm.ASK_SIDE, 230.01, 1200.0, True)
    ) == ("updateMktDepthL2", (4, 0, "ARCA", 0, 0, 230.01, 1200.0, True))


def test_depth_exchanges() -> None:
    name, (venues,) = only_call(mm.mkt_depth_exchanges([("ISLAND", "STK", "NASDAQ", "Deep2", 7)]))
    assert name == "mktDepthExchanges"
    assert (venues[0].exchange, venues[0].serviceDataType, venues[0].aggGroup) == (
        "ISLAND",
        "Deep2",
        7,
    )


def test_real_time_bar() -> None:
    bar = mm.real_time_bar(9, 1_741_100_400, 230.0, 230.05, 229.98, 230.01, 1200.0, 230.012, 8)
    assert only_call(bar) == (
        "realtimeBar",
        (9, 1_741_100_400, 230.0, 230.05, 229.98, 230.01, 1200.0, 230.012, 8),
    )


def test_tick_req_params() -> None:
    assert only_call(mm.tick_req_params(5, 0.01, "9c0001", 3)) == (
        "tickReqParams",
        (5, 0.01, "9c0001", 3),
    )


def test_tick_by_tick_each_type() -> None:
    (name, args) = only_call(mm.tick_by_tick_last(6, mm.TBT_ALL_LAST, 100, 230.01, 200.0, "ARCA"))
    assert name == "tickByTickAllLast"
    assert args[:5] == (6, 2, 100, 230.01, 200.0) and args[6:] == ("ARCA", "")
    (name, args) = only_call(mm.tick_by_tick_bid_ask(6, 100, 229.99, 230.01, 300.0, 700.0, 2))
    assert name == "tickByTickBidAsk"
    assert args[:6] == (6, 100, 229.99, 230.01, 300.0, 700.0) and args[6].askPastHigh
    assert only_call(mm.tick_by_tick_mid_point(6, 100, 230.005)) == (
        "tickByTickMidPoint",
        (6, 100, 230.005),
    )


def _quote(bid: float, ask: float, bid_size: float = 300.0, ask_size: float = 500.0) -> Quote:
    return Quote(bid, ask, bid_size, ask_size, ask, 100.0, 1e6, bid, ask, bid, bid)


def _book(quote: Quote, rows: int = 5, now: float = 1_741_100_400.0, smart: bool = False):
    return book(quote, tick=0.01, sec_type="STK", rows=rows, seed=7, con_id=265598, now=now,
                smart=smart)  # fmt: skip


def test_book_sits_on_the_quote_one_tick_apart() -> None:
    bids, asks = _book(_quote(229.99, 230.01), smart=True)
    assert bids[0][:2] == (229.99, 300.0) and asks[0][:2] == (230.01, 500.0)
    assert [p for p, _, _ in bids[:3]] == [229.99, 229.98, 229.97]
    assert [p for p, _, _ in asks[:3]] == [230.01, 230.02, 230.03]
    assert all(maker for _, _, maker in bids + asks)
    assert len(_book(_quote(229.99, 230.01), rows=500)[0]) <= MAX_ROWS
    assert _book(_quote(NAN, NAN)) == ([], [])


def test_changes_update_in_place_and_edit_only_the_tail() -> None:
    old = _book(_quote(229.99, 230.01))
    assert {op for _, op, _, _ in changes(([], []), old)} == {mm.INSERT}
    new = _book(_quote(230.00, 230.02), now=1_741_100_401.0)
    ops = changes(old, new)
    assert ops and all(op == mm.UPDATE for pos, op, side, _ in ops if pos < 4)
    # replaying the operations with IB's insert/delete-shifts semantics gives the new book
    for side_index, side in ((0, mm.BID_SIDE), (1, mm.ASK_SIDE)):
        levels = list(old[side_index])
        for pos, op, s, level in ops:
            if s != side:
                continue
            if op == mm.INSERT:
                levels.insert(pos, level)
            elif op == mm.UPDATE:
                levels[pos] = level
            else:
                del levels[pos]
        assert levels == new[side_index]


def test_decoding_a_whole_book_gives_one_call_per_level() -> None:
    bids, asks = _book(_quote(229.99, 230.01), rows=3)
    calls = []
    for pos, op, side, (price, size, _) in changes(([], []), (bids, asks)):
        calls += decode(mm.market_depth(1, pos, op, side, price, size))
    assert len(calls) == len(bids) + len(asks)

"""Server -> client messages for depth, real-time bars, tick-by-tick and request parameters.

Layouts are those of server version 178 (what the simulator claims): the smart-depth flag on
MARKET_DEPTH_L2 (since 146), the service data type on MKT_DEPTH_EXCHANGES (since 143), sizes as
decimals. TICK_REQ_PARAMS and TICK_BY_TICK carry no version field.
"""

from __future__ import annotations

from adapters.simulated_gateway.tws.wire import fmt_float, fmt_int

Fields = list[str]

MARKET_DEPTH = "12"
MARKET_DEPTH_L2 = "13"
REAL_TIME_BARS = "50"
MKT_DEPTH_EXCHANGES = "80"
TICK_REQ_PARAMS = "81"
TICK_BY_TICK = "99"

# depth operations and sides, as IB numbers them
INSERT, UPDATE, DELETE = 0, 1, 2
ASK_SIDE, BID_SIDE = 0, 1

# tick-by-tick types on the wire (the request names them as text)
TBT_LAST, TBT_ALL_LAST, TBT_BID_ASK, TBT_MID_POINT = 1, 2, 3, 4
TBT_TYPES = {"Last": TBT_LAST, "AllLast": TBT_ALL_LAST, "BidAsk": TBT_BID_ASK,
             "MidPoint": TBT_MID_POINT}  # fmt: skip

RT_VOLUME = 48  # tick type of the RTVolume string (generic tick 233)


def market_depth(
    req_id: int, position: int, operation: int, side: int, price: float, size: float
) -> Fields:
    """MARKET_DEPTH (exchange-specific book, no market maker)."""
    return [MARKET_DEPTH, "1", str(req_id), str(position), str(operation), str(side),
            fmt_float(price), fmt_float(size)]  # fmt: skip


def market_depth_l2(
    req_id: int,
    position: int,
    market_maker: str,
    operation: int,
    side: int,
    price: float,
    size: float,
    is_smart_depth: bool,
) -> Fields:
    """MARKET_DEPTH_L2: the level's market maker (for smart depth: its exchange)."""
    return [MARKET_DEPTH_L2, "1", str(req_id), str(position), market_maker, str(operation),
            str(side), fmt_float(price), fmt_float(size), "1" if is_smart_depth else "0"]  # fmt: skip


def mkt_depth_exchanges(venues: list[tuple[str, str, str, str, int]]) -> Fields:
    """MKT_DEPTH_EXCHANGES: (exchange, secType, listingExch, serviceDataType, aggGroup) each."""
    fields = [MKT_DEPTH_EXCHANGES, str(len(venues))]
    for exchange, sec_type, listing, service, agg_group in venues:
        fields += [exchange, sec_type, listing, service, str(agg_group)]
    return fields


def real_time_bar(
    req_id: int,
    time: int,
    open_: float,
    high: float,
    low: float,
    close: float,
    volume: float,
    wap: float,
    count: int,
) -> Fields:
    """REAL_TIME_BARS: one 5-second bar; ``time`` is its start in epoch seconds."""
    return [REAL_TIME_BARS, "3", str(req_id), str(time), fmt_float(open_), fmt_float(high),
            fmt_float(low), fmt_float(close), fmt_float(volume), fmt_float(wap), fmt_int(count)]  # fmt: skip


def tick_req_params(
    req_id: int, min_tick: float, bbo_exchange: str, snapshot_permissions: int
) -> Fields:
    return [TICK_REQ_PARAMS, str(req_id), fmt_float(min_tick), bbo_exchange,
            str(snapshot_permissions)]  # fmt: skip


def tick_by_tick_last(
    req_id: int,
    tick_type: int,
    time: int,
    price: float,
    size: float,
    exchange: str,
    special_conditions: str = "",
    mask: int = 0,
) -> Fields:
    """A trade (Last or AllLast); mask bit 0 = past limit, bit 1 = unreported."""
    return [TICK_BY_TICK, str(req_id), str(tick_type), str(time), fmt_float(price),
            fmt_float(size), str(mask), exchange, special_conditions]  # fmt: skip


def tick_by_tick_bid_ask(
    req_id: int,
    time: int,
    bid: float,
    ask: float,
    bid_size: float,
    ask_size: float,
    mask: int = 0,
) -> Fields:
    """A quote; mask bit 0 = bid below the day's low, bit 1 = ask above the day's high."""
    return [TICK_BY_TICK, str(req_id), str(TBT_BID_ASK), str(time), fmt_float(bid),
            fmt_float(ask), fmt_float(bid_size), fmt_float(ask_size), str(mask)]  # fmt: skip


def tick_by_tick_mid_point(req_id: int, time: int, mid_point: float) -> Fields:
    return [TICK_BY_TICK, str(req_id), str(TBT_MID_POINT), str(time), fmt_float(mid_point)]

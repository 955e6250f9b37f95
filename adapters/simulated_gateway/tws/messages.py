"""Server -> client messages for connection set-up, errors and market data (version 178).

Each builder returns the message's text fields; ``wire.frame`` turns them into bytes. Field
counts and integer-vs-float text matter: ib_async unpacks several messages into fixed tuples
and silently drops a message that does not fit.
"""

from __future__ import annotations

from adapters.simulated_gateway.tws.wire import fmt_float, fmt_int

Fields = list[str]

# Incoming message ids (server -> client), as the TWS API numbers them.
TICK_PRICE = "1"
TICK_SIZE = "2"
ERR_MSG = "4"
NEXT_VALID_ID = "9"
MANAGED_ACCTS = "15"
TICK_OPTION_COMPUTATION = "21"
TICK_GENERIC = "45"
TICK_STRING = "46"
CURRENT_TIME = "49"
TICK_SNAPSHOT_END = "57"
MARKET_DATA_TYPE = "58"

# Tick types (IB's numbering) the simulator sends.
BID_SIZE, BID, ASK, ASK_SIZE, LAST, LAST_SIZE = 0, 1, 2, 3, 4, 5
HIGH, LOW, VOLUME, CLOSE, OPEN = 6, 7, 8, 9, 14
OPTION_IMPLIED_VOL = 24
LAST_TIMESTAMP = 45
HALTED = 49
MODEL_OPTION = 13


def handshake(server_version: int, connection_time: str) -> Fields:
    """The reply to the client's version string: exactly two fields, nothing else."""
    return [str(server_version), connection_time]


def error(req_id: int, code: int, message: str, advanced_reject_json: str = "") -> Fields:
    """ERR_MSG; the advanced-reject field is mandatory from version 166 on."""
    return [ERR_MSG, "2", str(req_id), str(code), message, advanced_reject_json]


def next_valid_id(order_id: int) -> Fields:
    return [NEXT_VALID_ID, "1", str(order_id)]


def managed_accounts(accounts: list[str]) -> Fields:
    return [MANAGED_ACCTS, "1", ",".join(accounts)]


def current_time(epoch_seconds: int) -> Fields:
    return [CURRENT_TIME, "1", str(epoch_seconds)]


def tick_price(
    req_id: int, tick_type: int, price: float, size: float = 0.0, mask: int = 0
) -> Fields:
    """TICK_PRICE; ib_async treats a bid/ask with size 0 as "no quote", so give real sizes."""
    return [
        TICK_PRICE,
        "6",
        str(req_id),
        str(tick_type),
        fmt_float(price),
        fmt_float(size),
        str(mask),
    ]


def tick_size(req_id: int, tick_type: int, size: float) -> Fields:
    return [TICK_SIZE, "6", str(req_id), str(tick_type), fmt_float(size)]


def tick_generic(req_id: int, tick_type: int, value: float) -> Fields:
    return [TICK_GENERIC, "6", str(req_id), str(tick_type), fmt_float(value)]


def tick_string(req_id: int, tick_type: int, value: str) -> Fields:
    return [TICK_STRING, "6", str(req_id), str(tick_type), value]


def _or(value: float, unknown: float) -> str:
    # IB marks an unknown greek with -2 and an unknown price/vol with -1.
    return fmt_float(unknown if value != value else value)


def tick_option_computation(
    req_id: int,
    tick_type: int,
    *,
    implied_vol: float,
    delta: float,
    opt_price: float,
    pv_dividend: float,
    gamma: float,
    vega: float,
    theta: float,
    und_price: float,
    attrib: int = 0,
) -> Fields:
    """TICK_OPTION_COMPUTATION: no version field since server version 156, exactly 12 fields."""
    return [
        TICK_OPTION_COMPUTATION,
        str(req_id),
        str(tick_type),
        str(attrib),
        _or(implied_vol, -1.0),
        _or(delta, -2.0),
        _or(opt_price, -1.0),
        _or(pv_dividend, -1.0),
        _or(gamma, -2.0),
        _or(vega, -2.0),
        _or(theta, -2.0),
        _or(und_price, -1.0),
    ]


def tick_snapshot_end(req_id: int) -> Fields:
    return [TICK_SNAPSHOT_END, "1", str(req_id)]


def market_data_type(req_id: int, data_type: int) -> Fields:
    return [MARKET_DATA_TYPE, "1", str(req_id), fmt_int(data_type)]

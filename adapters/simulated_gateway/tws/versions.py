"""Per-session protocol versions: the simulator's messages in the layout a client expects.

The builders in ``messages*.py`` write every message as server version 178 lays it out. A
client that negotiated an older version (100..177) reads some messages with fewer, more or
other fields, and drops (ib_async, ib_insync) or dies on (IB's ``ibapi``) anything else.
``for_client`` rewrites an outgoing v178 message into the layout of the session's version;
``from_client`` rewrites an incoming request from the client's layout into the v178 layout the
handlers read. Each threshold is one of IB's ``MIN_SERVER_VER_*`` facts: the server version
from which the field or message exists, as IB's own decoders branch on it
(``if serverVersion >= X``).
"""

from __future__ import annotations

from collections.abc import Callable

import structlog

log = structlog.get_logger(__name__)

Fields = list[str]

LOWEST = 100  # the "API\0 v100.." hello: the oldest client this protocol framing serves
HIGHEST = 178  # what the simulator claims; its builders write this layout

# IB's MIN_SERVER_VER_* constants (server_versions.py of IB's TWS API), the ones that change
# a message the simulator sends or reads.
FRACTIONAL_POSITIONS = 101  # positions and order quantities as decimals, not integers
PEGGED_TO_BENCHMARK = 102  # order conditions and adjusted-order fields
MODELS_SUPPORT = 103  # modelCode on orders and executions; *Multi account messages
SEC_DEF_OPT_PARAMS_REQ = 104
SOFT_DOLLAR_TIER = 106
REQ_FAMILY_CODES = 107
REQ_MATCHING_SYMBOLS = 108
PAST_LIMIT = 109  # tick attribute bits (before: attrMask == 1 means canAutoExecute)
MD_SIZE_MULTIPLIER = 110  # contract details carry mdSizeMultiplier (until SIZE_RULES)
CASH_QTY = 111
REQ_MKT_DEPTH_EXCHANGES = 112
REQ_SMART_COMPONENTS = 114
REQ_NEWS_PROVIDERS = 115
REQ_NEWS_ARTICLE = 116
REQ_HISTORICAL_NEWS = 117
REQ_HEAD_TIMESTAMP = 118
REQ_HISTOGRAM = 119
SERVICE_DATA_TYPE = 120  # depth exchanges: listing exchange, service data type, aggGroup
AGG_GROUP = 121
UNDERLYING_INFO = 122
CANCEL_HEADTIMESTAMP = 123
SYNT_REALTIME_BARS = 124  # historical data loses its version and hasGaps; keepUpToDate
MARKET_RULES = 126
PNL = 127
UNREALIZED_PNL = 129
HISTORICAL_TICKS = 130
MARKET_CAP_PRICE = 131  # order status loses its version field, gains mktCapPrice
PRE_OPEN_BID_ASK = 132
REAL_EXPIRATION_DATE = 134
REALIZED_PNL = 135
LAST_LIQUIDITY = 136  # executions lose their version field, gain lastLiquidity
TICK_BY_TICK = 137
AUTO_PRICE_FOR_HEDGE = 141
WHAT_IF_EXT_FIELDS = 142  # what-if margins before and change, not only after
SCANNER_GENERIC_OPTS = 143
ORDER_CONTAINER = 145  # open orders and placeOrder lose their version field
SMART_DEPTH = 146
D_PEG_ORDERS = 148
MKT_DEPTH_PRIM_EXCHANGE = 149
COMPLETED_ORDERS = 150
PRICE_MGMT_ALGO = 151
STOCK_TYPE = 152
PRICE_BASED_VOLATILITY = 156  # option computation loses its version field, gains tickAttrib
DURATION = 158
POST_TO_ATS = 160
WSHE_CALENDAR = 161
AUTO_CANCEL_PARENT = 162
FRACTIONAL_SIZE_SUPPORT = 163  # sizes and volumes as decimals, not integers
SIZE_RULES = 164  # contract details lose their version field; minSize, sizeIncrement...
HISTORICAL_SCHEDULE = 165  # reqHistoricalData whatToShow=SCHEDULE, answered by message 106
ADVANCED_ORDER_REJECT = 166  # errors carry advancedOrderRejectJson
USER_INFO = 167
PEGBEST_PEGMID_OFFSETS = 170
BOND_ISSUERID = 176  # symbol samples carry description and issuerId
FA_PROFILE_DESUPPORT = 177  # orders lose faProfile
PENDING_PRICE_REVISION = 178  # executions carry pendingPriceRevision

# The version field a message carried before IB dropped it (what older servers wrote there).
_OPEN_ORDER_VERSION = "34"
_EXECUTION_VERSION = "10"
_CONTRACT_DATA_VERSION = "8"
_HISTORICAL_DATA_VERSION = "3"
_ORDER_STATUS_VERSION = "6"
_OPTION_COMPUTATION_VERSION = "6"
# The simulator reports sizes in shares and says so: a multiplier of 1 (IB reported lots of
# 100 for US stocks to clients below MARKET_DATA_IN_SHARES, 159).
_MD_SIZE_MULTIPLIER = "1"

# Messages that do not exist below a version: an older client has no decoder for them.
_MESSAGE_SINCE = {
    "73": MODELS_SUPPORT, "74": MODELS_SUPPORT,  # account update multi (+ end)
    "75": SEC_DEF_OPT_PARAMS_REQ, "76": SEC_DEF_OPT_PARAMS_REQ,
    "77": SOFT_DOLLAR_TIER, "78": REQ_FAMILY_CODES, "79": REQ_MATCHING_SYMBOLS,
    "80": REQ_MKT_DEPTH_EXCHANGES, "85": REQ_NEWS_PROVIDERS, "88": REQ_HEAD_TIMESTAMP,
    "89": REQ_HISTOGRAM, "90": SYNT_REALTIME_BARS, "93": MARKET_RULES, "94": PNL, "95": PNL,
    "96": HISTORICAL_TICKS, "97": HISTORICAL_TICKS, "98": HISTORICAL_TICKS,
    "99": TICK_BY_TICK, "101": COMPLETED_ORDERS, "102": COMPLETED_ORDERS,
    "106": HISTORICAL_SCHEDULE,
}  # fmt: skip

# Requests a client may send only from a version on (IB's client refuses them below it).
REQUEST_SINCE = {
    "74": MODELS_SUPPORT, "75": MODELS_SUPPORT, "76": MODELS_SUPPORT, "77": MODELS_SUPPORT,
    "78": SEC_DEF_OPT_PARAMS_REQ, "79": SOFT_DOLLAR_TIER, "80": REQ_FAMILY_CODES,
    "81": REQ_MATCHING_SYMBOLS, "82": REQ_MKT_DEPTH_EXCHANGES, "83": REQ_SMART_COMPONENTS,
    "84": REQ_NEWS_ARTICLE, "85": REQ_NEWS_PROVIDERS, "86": REQ_HISTORICAL_NEWS,
    "87": REQ_HEAD_TIMESTAMP, "88": REQ_HISTOGRAM, "89": REQ_HISTOGRAM,
    "90": CANCEL_HEADTIMESTAMP, "91": MARKET_RULES, "92": PNL, "93": PNL, "94": PNL, "95": PNL,
    "96": HISTORICAL_TICKS, "97": TICK_BY_TICK, "98": TICK_BY_TICK, "99": COMPLETED_ORDERS,
    "100": WSHE_CALENDAR, "101": WSHE_CALENDAR, "102": WSHE_CALENDAR, "103": WSHE_CALENDAR,
    "104": USER_INFO,
}  # fmt: skip

UPDATE_TWS = 503
UPDATE_TWS_TEXT = "The TWS is out of date and must be upgraded."


def negotiate(hello: str) -> int | None:
    """The version agreed for a client's ``vMIN..MAX`` (or ``vN``) hello, None to refuse.

    IB answers min(client max, its own max); a client whose maximum is below 100 does not
    speak this framing at all, and one that asks for nothing readable is refused."""
    if not hello.startswith("v"):
        return None
    span = hello[1:].split(" ", 1)[0]
    low, _, high = span.partition("..")
    try:
        client_max = int(high or low)
    except ValueError:
        return None
    if client_max < LOWEST:
        return None
    return min(HIGHEST, client_max)


def request_too_new(msg_id: str, version: int) -> str | None:
    """IB's refusal text for a request the negotiated version does not have, else None."""
    since = REQUEST_SINCE.get(msg_id)
    if since is None or version >= since:
        return None
    return (
        f"{UPDATE_TWS_TEXT} It does not support request {msg_id} below server version "
        f"{since} (this session: {version})."
    )


# --- outgoing ---------------------------------------------------------------------------------


def _whole(text: str) -> str:
    """A decimal size as the integer text clients before FRACTIONAL_SIZE_SUPPORT parse."""
    if not text:
        return "0"
    try:
        return str(round(float(text)))
    except (ValueError, OverflowError):
        return "0"


def _tick_price(f: Fields, v: int) -> Fields:
    # 1|6|reqId|tickType|price|size|attrMask
    if v < FRACTIONAL_SIZE_SUPPORT:
        f[5] = _whole(f[5])
    if v < PRE_OPEN_BID_ASK:
        mask = int(f[6] or 0)
        f[6] = str(mask & 1) if v < PAST_LIMIT else str(mask & 3)
    return f


def _tick_size(f: Fields, v: int) -> Fields:
    # 2|6|reqId|tickType|size
    if v < FRACTIONAL_SIZE_SUPPORT:
        f[4] = _whole(f[4])
    return f


def _order_status(f: Fields, v: int) -> Fields:
    # 3|orderId|status|filled|remaining|avgFillPrice|permId|parentId|lastFillPrice|clientId|
    # whyHeld|mktCapPrice
    if v < FRACTIONAL_POSITIONS:
        f[3], f[4] = _whole(f[3]), _whole(f[4])
    if v < MARKET_CAP_PRICE:
        del f[11]
        f.insert(1, _ORDER_STATUS_VERSION)
    return f


def _error(f: Fields, v: int) -> Fields:
    # 4|2|reqId|code|message|advancedOrderRejectJson
    if v < ADVANCED_ORDER_REJECT:
        del f[5:]
    return f


def _order_tail(tail: Fields, v: int) -> None:
    """Trim an order's fields after randomizePrice (conditions .. midOffsetAtHalf, v178:
    conditions count, 16 adjusted .. usePriceMgmtAlgo, duration, postToAts,
    autoCancelParent, 5 peg-best offsets), from the end backwards."""
    if v < PEGBEST_PEGMID_OFFSETS:
        del tail[-5:]
    for since in (AUTO_CANCEL_PARENT, POST_TO_ATS, DURATION):
        if v < since:
            del tail[-1]
    for since, count in ((PRICE_MGMT_ALGO, 1), (D_PEG_ORDERS, 1), (ORDER_CONTAINER, 1),
                         (AUTO_PRICE_FOR_HEDGE, 1), (CASH_QTY, 1), (SOFT_DOLLAR_TIER, 3)):  # fmt: skip
        if v < since:
            del tail[-count:]
    if v < PEGGED_TO_BENCHMARK:
        del tail[-9:]  # the 8 adjusted-order fields and the conditions count


# OPEN_ORDER at v178: whatIf sits 43 fields before the end (status, 9 margin strings, 5
# commission fields, 2 randomize flags, conditions, 16 adjusted .. usePriceMgmtAlgo, 8 more).
_OPEN_ORDER_WHAT_IF_FROM_END = 43
_OPEN_ORDER_FA_PROFILE = 34  # after faGroup, faMethod, faPercentage (31..33)


def _open_order(f: Fields, v: int) -> Fields:
    what_if = len(f) - _OPEN_ORDER_WHAT_IF_FROM_END
    head = f[: what_if + 2]  # .. whatIf, status
    margins = f[what_if + 2 : what_if + 11]  # before (3), change (3), after (3)
    tail = f[what_if + 11 :]  # commission .. midOffsetAtHalf
    if v < WHAT_IF_EXT_FIELDS:
        margins = margins[6:]
    tail_from = 7  # commission x3, currency, warning text, randomizeSize, randomizePrice
    rest = tail[tail_from:]
    _order_tail(rest, v)
    if v < FRACTIONAL_POSITIONS:
        head[14] = _whole(head[14])
    if v < FA_PROFILE_DESUPPORT:
        head.insert(_OPEN_ORDER_FA_PROFILE, "")  # faProfile
        if v < MODELS_SUPPORT:
            del head[_OPEN_ORDER_FA_PROFILE + 1]  # modelCode
    if v < ORDER_CONTAINER:
        head.insert(1, _OPEN_ORDER_VERSION)
    return head + margins + tail[:tail_from] + rest


_COMPLETED_FA_PROFILE = 31  # 101|contract (11)|action .. faGroup, faMethod, faPercentage|


def _completed_order(f: Fields, v: int) -> Fields:
    if v < PEGBEST_PEGMID_OFFSETS:
        del f[-5:]
    if v < FA_PROFILE_DESUPPORT:
        f.insert(_COMPLETED_FA_PROFILE, "")
    return f


def _contract_data(f: Fields, v: int) -> Fields:
    # 10|reqId|symbol .. conId(12)|minTick(13)|multiplier .. secIds|aggGroup|underSymbol|
    # underSecType|marketRuleIds|realExpirationDate|stockType|minSize|sizeIncrement|
    # suggestedSizeIncrement (the last 9 are fixed)
    if v >= SIZE_RULES:
        return f
    head, tail = f[:-9], f[-9:]
    size_increment = tail[7]
    del tail[6:]
    if v == FRACTIONAL_SIZE_SUPPORT:
        tail.append(size_increment)  # sizeMinTick, at that one version only
    for since, index in ((STOCK_TYPE, 5), (REAL_EXPIRATION_DATE, 4), (MARKET_RULES, 3)):
        if v < since:
            del tail[index]
    if v < UNDERLYING_INFO:
        del tail[1:3]
    if v < AGG_GROUP:
        del tail[0]
    if v >= MD_SIZE_MULTIPLIER:
        head.insert(14, _MD_SIZE_MULTIPLIER)
    head.insert(1, _CONTRACT_DATA_VERSION)
    return head + tail


def _execution(f: Fields, v: int) -> Fields:
    # 11|reqId|orderId|contract (11)|execId|time|acct|exchange|side|shares(19)|price|permId|
    # clientId|liquidation|cumQty|avgPrice|orderRef|evRule|evMultiplier|modelCode(29)|
    # lastLiquidity(30)|pendingPriceRevision(31)
    if v < PENDING_PRICE_REVISION:
        del f[31:]
    if v < LAST_LIQUIDITY:
        del f[30:]
    if v < MODELS_SUPPORT:
        del f[29:]
    if v < FRACTIONAL_POSITIONS:
        f[19] = _whole(f[19])
        f[24] = _whole(f[24])
    if v < LAST_LIQUIDITY:
        f.insert(1, _EXECUTION_VERSION)
    return f


def _historical_data(f: Fields, v: int) -> Fields:
    # 17|reqId|start|end|count|{date|open|high|low|close|volume|WAP|barCount}*count
    if v >= FRACTIONAL_SIZE_SUPPORT:
        return f
    out = f[:5]
    for i in range(5, len(f) - 7, 8):
        bar = f[i : i + 8]
        bar[5] = _whole(bar[5])
        if v < SYNT_REALTIME_BARS:
            bar.insert(7, "false")  # hasGaps
        out += bar
    if v < SYNT_REALTIME_BARS:
        out.insert(1, _HISTORICAL_DATA_VERSION)
    return out


def _historical_data_update(f: Fields, v: int) -> Fields:
    # 90|reqId|barCount|date|open|close|high|low|WAP|volume
    if v < FRACTIONAL_SIZE_SUPPORT:
        f[9] = _whole(f[9])
    return f


def _option_computation(f: Fields, v: int) -> Fields:
    # 21|reqId|tickType|tickAttrib|impliedVol .. undPrice
    if v < PRICE_BASED_VOLATILITY:
        del f[3]
        f.insert(1, _OPTION_COMPUTATION_VERSION)
    return f


def _whole_at(*indexes: int) -> Callable[[Fields, int], Fields]:
    def rewrite(f: Fields, v: int) -> Fields:
        if v < FRACTIONAL_SIZE_SUPPORT:
            for i in indexes:
                f[i] = _whole(f[i])
        return f

    return rewrite


def _position_at(index: int) -> Callable[[Fields, int], Fields]:
    def rewrite(f: Fields, v: int) -> Fields:
        if v < FRACTIONAL_POSITIONS:
            f[index] = _whole(f[index])
        return f

    return rewrite


def _depth_l2(f: Fields, v: int) -> Fields:
    # 13|1|reqId|position|marketMaker|operation|side|price|size|isSmartDepth
    if v < FRACTIONAL_SIZE_SUPPORT:
        f[8] = _whole(f[8])
    if v < SMART_DEPTH:
        del f[9:]
    return f


def _depth_exchanges(f: Fields, v: int) -> Fields:
    # 80|count|{exchange|secType|listingExch|serviceDataType|aggGroup}*count
    if v >= SERVICE_DATA_TYPE:
        return f
    out = f[:2]
    for i in range(2, len(f) - 4, 5):
        exchange, sec_type, _, service, _ = f[i : i + 5]
        out += [exchange, sec_type, "1" if service == "Deep2" else "0"]  # isL2
    return out


def _tick_by_tick(f: Fields, v: int) -> Fields:
    # 99|reqId|type|time|...: Last/AllLast price|size|...; BidAsk bid|ask|bidSize|askSize|mask
    if v < FRACTIONAL_SIZE_SUPPORT:
        if f[2] in ("1", "2"):
            f[5] = _whole(f[5])
        elif f[2] == "3":
            f[6], f[7] = _whole(f[6]), _whole(f[7])
    return f


def _historical_ticks(width: int, sizes: tuple[int, ...]) -> Callable[[Fields, int], Fields]:
    # 96/97/98|reqId|count|{tick of `width` fields}*count|done
    def rewrite(f: Fields, v: int) -> Fields:
        if v < FRACTIONAL_SIZE_SUPPORT:
            for i in range(3, len(f) - 1, width):
                for offset in sizes:
                    f[i + offset] = _whole(f[i + offset])
        return f

    return rewrite


def _symbol_samples(f: Fields, v: int) -> Fields:
    # 79|reqId|count|{conId|symbol|secType|primaryExchange|currency|n|derivs*n|description|
    # issuerId}*count
    if v >= BOND_ISSUERID:
        return f
    out = f[:3]
    i = 3
    for _ in range(int(f[2])):
        derivatives = int(f[i + 5])
        stop = i + 6 + derivatives
        out += f[i:stop]
        i = stop + 2  # description, issuerId
    return out


def _pnl(realized: int, unrealized: int) -> Callable[[Fields, int], Fields]:
    def rewrite(f: Fields, v: int) -> Fields:
        if v < REALIZED_PNL:
            del f[realized]
        if v < UNREALIZED_PNL:
            del f[unrealized]
        return f

    return rewrite


_OUTGOING: dict[str, Callable[[Fields, int], Fields]] = {
    "1": _tick_price,
    "2": _tick_size,
    "3": _order_status,
    "4": _error,
    "5": _open_order,
    "7": _position_at(13),  # PORTFOLIO_VALUE
    "10": _contract_data,
    "11": _execution,
    "12": _whole_at(7),  # MARKET_DEPTH
    "13": _depth_l2,
    "17": _historical_data,
    "21": _option_computation,
    "50": _whole_at(8),  # REAL_TIME_BARS volume
    "61": _position_at(14),  # POSITION_DATA
    "79": _symbol_samples,
    "80": _depth_exchanges,
    "90": _historical_data_update,
    "94": _pnl(realized=4, unrealized=3),
    "95": _pnl(realized=5, unrealized=4),
    "96": _historical_ticks(4, (3,)),
    "97": _historical_ticks(6, (4, 5)),
    "98": _historical_ticks(6, (3,)),
    "99": _tick_by_tick,
    "101": _completed_order,
}


def for_client(fields: Fields, version: int) -> Fields | None:
    """A v178 message in the layout of ``version``; None when that version has no such
    message (the client could not have asked for it)."""
    if version >= HIGHEST:
        return fields
    msg_id = fields[0]
    since = _MESSAGE_SINCE.get(msg_id)
    if since is not None and version < since:
        return None
    rewrite = _OUTGOING.get(msg_id)
    if rewrite is None:
        return fields
    try:
        return rewrite(list(fields), version)
    except (IndexError, ValueError) as exc:
        # a message this module does not know the shape of: never break the session's loop
        log.error(
            "simulator.version_rewrite_failed", msg_id=msg_id, version=version, error=str(exc)
        )
        return None


# --- incoming ---------------------------------------------------------------------------------


def _place_order(f: Fields, v: int) -> Fields:
    """placeOrder from an older client: no version field from ORDER_CONTAINER on, faProfile
    until FA_PROFILE_DESUPPORT, modelCode from MODELS_SUPPORT, conditions and adjusted
    fields from PEGGED_TO_BENCHMARK."""
    if v < ORDER_CONTAINER:
        del f[1]
    if v < FA_PROFILE_DESUPPORT:
        # 3|orderId|contract (12)|secIdType|secId|action .. hidden (34)|[combo]|
        # sharesAllocation|discretionaryAmt|goodAfterTime|goodTillDate|faGroup|faMethod|
        # faPercentage|faProfile
        pos = 35
        if f[4] == "BAG":
            pos += 1 + 8 * int(f[pos] or 0)
            pos += 1 + int(f[pos] or 0)
            pos += 1 + 2 * int(f[pos] or 0)
        fa_profile = pos + 7
        if v < MODELS_SUPPORT:
            f[fa_profile] = ""  # where v178 has modelCode
        else:
            del f[fa_profile]
    if v < PEGGED_TO_BENCHMARK:
        f += ["0", "", "", "", "", "", "", "", ""]  # no conditions; adjusted-order fields
    return f


def _req_mkt_depth(f: Fields, v: int) -> Fields:
    # 10|5|reqId|conId|symbol|secType|lastTrade|strike|right|multiplier|exchange|
    # [primaryExchange]|currency|localSymbol|tradingClass|numRows|[isSmartDepth]|options
    if v < MKT_DEPTH_PRIM_EXCHANGE:
        f.insert(11, "")
    if v < SMART_DEPTH:
        f.insert(16, "0")
    return f


def _drop_version_below(since: int) -> Callable[[Fields, int], Fields]:
    def rewrite(f: Fields, v: int) -> Fields:
        if v < since:
            del f[1]
        return f

    return rewrite


_INCOMING: dict[str, Callable[[Fields, int], Fields]] = {
    "3": _place_order,
    "10": _req_mkt_depth,
    "20": _drop_version_below(SYNT_REALTIME_BARS),  # reqHistoricalData
    "22": _drop_version_below(SCANNER_GENERIC_OPTS),  # reqScannerSubscription
}


def from_client(fields: Fields, version: int) -> Fields:
    """A request in the v178 layout the handlers read. Raises IndexError/ValueError on a
    message too short for its own version (the session answers those with error 320)."""
    if version >= HIGHEST:
        return fields
    rewrite = _INCOMING.get(fields[0])
    return rewrite(list(fields), version) if rewrite is not None else fields

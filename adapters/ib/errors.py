"""The one table from IB's error codes to domain errors.

IB reports everything through one ``error(reqId, code, text)`` callback: real failures, order
rejections, warnings and connection notices alike. This module says which is which; nothing
else in the adapter interprets a code.
"""

from __future__ import annotations

import asyncio
import math
from typing import cast

from ib_async import RequestError

from domain.connection import FarmKind
from domain.errors import (
    BrokerTimeout,
    CompetingSession,
    ContractNotFound,
    DomainError,
    GatewayError,
    InvalidRequest,
    LinesExhausted,
    MarketDataNotSubscribed,
    MarketDataUnavailable,
    NotConnected,
    OrderNotFound,
    OrderRejected,
    RateLimited,
    ReadOnly,
)

# Connection notices: they change the session's status, never the outcome of a request.
CONNECTIVITY_LOST = 1100
RESTORED_DATA_LOST = 1101
RESTORED_DATA_KEPT = 1102
CLIENT_ID_IN_USE = 326
FARM_BROKEN = frozenset({2103, 2105, 2157})
FARM_OK = frozenset({2104, 2106, 2107, 2108, 2158})
_FARM_KINDS = (
    {2103: "market_data", 2104: "market_data", 2108: "market_data"}
    | {code: "historical" for code in (2105, 2106, 2107)}
    | {code: "sec_def" for code in (2157, 2158)}
)
# Not subscribed to live data: 354 ends the request, 10167 sends delayed data instead.
NOT_SUBSCRIBED = frozenset({354, 10167})
# The account lacks the subscription IB requires: 354 "Requested market data is not
# subscribed", 10089 "...requires additional subscription for API", 10090 "Part of requested
# market data is not subscribed", 10168 "...Delayed market data is not enabled", 430 "...
# fundamentals data for the security specified is not available". Each ends the request
# (10167, "Displaying delayed market data", is a warning: delayed data follows).
MISSING_SUBSCRIPTION = frozenset({354, 10089, 10090, 10168, 430})
COMPETING_SESSION = 10197
_SUBSCRIBE = (
    "Subscribe to the exchange's market data in IB's Client Portal (Settings > Market Data "
    "Subscriptions) and allow it for the API"
)
_DELAYED = (
    "; IB offers delayed quotes (market_data_type 3) without one, which snapshots and quote "
    "streams ask for by themselves when live data is refused"
)
_REMEDIES = {
    430: "IB may have no fundamentals for this contract (ETFs, futures, options); for stocks "
    "subscribe to the fundamentals research data in IB's Client Portal (Settings > Research "
    "Subscriptions)",
    10168: _SUBSCRIBE + ", or allow delayed data: snapshots and quote streams ask for it "
    "(market_data_type 3) when live data is not subscribed",
}
ORDER_REJECTED = frozenset({201, 202})
# The account's limits on live subscriptions: market data lines (101), depth books (309),
# tick-by-tick subscriptions (10190).
_LIMITS = {
    101: "every market data line of the account is in use",
    309: "the account holds as many market depth (order book) subscriptions as IB allows",
    10190: "the account holds as many tick-by-tick subscriptions as IB allows",
}
NOT_CONNECTED = frozenset({502, 504, 1100})
# Informational codes (ib_async's list plus IB's 2100-2199 range): never fail a request.
# "The price does not conform to the minimum price variation for this contract": a warning
# for a working order's change, the refusal of a new order.
PRICE_OFF_TICK = 110
_WARNINGS = frozenset({105, 110, 165, 329, 399, 404, 434, 492, 10167, 10197, 2100, 2150})


def is_warning(code: int) -> bool:
    """True for notices and warnings: logged, but no request fails because of them."""
    return code in _WARNINGS or 2100 <= code < 2200 or code in (1101, 1102)


def farm_kind(code: int) -> FarmKind:
    """Which kind of data farm a farm notice is about (2103/2104/2108 are market data)."""
    return cast("FarmKind", _FARM_KINDS[code])


def is_connection_notice(code: int) -> bool:
    return code in (CONNECTIVITY_LOST, RESTORED_DATA_LOST, RESTORED_DATA_KEPT) or (
        code in FARM_BROKEN or code in FARM_OK
    )


def to_domain(code: int, text: str, what: str = "the request") -> DomainError:
    """The domain error for an IB error code, with IB's own words kept in the message."""
    ib = f"IB error {code}: {text}"
    if code == 200:
        return ContractNotFound(f"No contract found for {what} ({ib})", ib_code=code)
    if code in _LIMITS:
        return LinesExhausted(
            f"IB refused {what}: {_LIMITS[code]}; close another subscription first ({ib})",
            retry_after=5,
        )
    if code in ORDER_REJECTED:
        return OrderRejected(text or ib, ib_code=code)
    if code == 10147:
        return OrderNotFound(f"IB does not know this order ({ib})", ib_code=code)
    if code == 10148:
        return InvalidRequest(f"The order can no longer be cancelled ({ib})", field="order_id")
    if code == 162:
        if "scan" in text.lower():  # the scanner's errors come with the same code
            return scanner_error(code, text, what)
        return _historical(code, text, what)
    if code in MISSING_SUBSCRIPTION:
        return not_subscribed(code, text, what)
    if code == COMPETING_SESSION:
        return competing_session(code, text, what)
    if code in NOT_SUBSCRIBED:
        return MarketDataUnavailable(f"No market data subscription for {what} ({ib})", ib_code=code)
    if code == PRICE_OFF_TICK:
        return InvalidRequest(
            f"IB refused {what}: a price is not a multiple of the contract's price increment "
            f"(its market rule: GET /ibkr/contracts/{{contract_id}}/market_rule) ({ib})"
        )
    if code == 321:
        if "read-only" in text.lower() or "read only" in text.lower():
            return ReadOnly(f"The IB API is in read-only mode ({ib})", ib_code=code)
        return InvalidRequest(f"IB refused {what} as invalid ({ib})")
    if code in NOT_CONNECTED:
        return NotConnected(f"The IB Gateway is not connected to IB ({ib})", retry_after=5)
    if code == 100:
        return RateLimited(f"IB message rate exceeded ({ib})", retry_after=1)
    return GatewayError(f"{what} failed ({ib})", ib_code=code)


def not_subscribed(code: int, text: str, what: str) -> MarketDataNotSubscribed:
    """The account lacks what IB needs for ``what``: the error names it and the way out."""
    remedy = _REMEDIES.get(code)
    if remedy is None:
        live = what.startswith(("a quote", "streaming quotes", "quotes"))
        remedy = _SUBSCRIBE + (_DELAYED if live else "; this data has no delayed form")
    kind = "research data" if code == 430 else "market data subscription"
    return MarketDataNotSubscribed(
        f"The account lacks the {kind} IB requires for {what} (IB error {code}: {text})",
        ib_code=code,
        data=what,
        remedy=remedy,
    )


def competing_session(code: int, text: str, what: str) -> CompetingSession:
    return CompetingSession(
        f"IB sends no market data for {what} while this IB user is logged in to a live "
        "session elsewhere (TWS, IBKR Mobile or Client Portal); log out there, or retry once "
        f"it ends (IB error {code}: {text})",
        ib_code=code,
    )


def _historical(code: int, text: str, what: str) -> DomainError:
    ib = f"IB error {code}: {text}"
    lowered = text.lower()
    if "permission" in lowered or "not subscribed" in lowered:
        return not_subscribed(code, text, what)
    if "competing" in lowered:
        return competing_session(code, text, what)
    if "pacing" in lowered:
        return RateLimited(f"IB historical data pacing limit ({ib})", retry_after=15)
    if any(word in lowered for word in ("exceed", "invalid", "illegal", "not supported")):
        return InvalidRequest(f"IB refused {what} ({ib})")
    return MarketDataUnavailable(f"IB has no historical data for {what} ({ib})", ib_code=code)


# Which scan parameter an IB scanner complaint is about, by the words IB uses.
_SCANNER_FIELDS = (
    ("location", "location_code"),
    ("scan code", "scan_code"),
    ("scan type", "scan_code"),
    ("instrument", "instrument"),
    ("filter", "filter_codes"),
)
_SCANNER_HELP = (
    "the scanner parameters (GET /ibkr/scanner/parameters, get_scanner_parameters) list the "
    "instruments, location codes, scan codes and filters the gateway accepts"
)


def scanner_error(code: int, text: str, what: str = "the scan") -> DomainError:
    """The domain error for an error IB sent a scanner subscription.

    IB reports scanner problems with the historical data service's code 162 ("Historical
    Market Data Service error message:..."): they are about the scan, not about historical
    data. A scan IB cancelled is worth retrying; a parameter IB refused is the caller's to fix.
    """
    if code != 162:
        return to_domain(code, text, what)
    ib = f"IB error {code}: {text}"
    reason = text.split(":", 1)[1].strip() if ":" in text else text
    lowered = reason.lower()
    if "subscription cancelled" in lowered or "subscription canceled" in lowered:
        return RateLimited(
            f"IB cancelled {what} before it returned results: IB allows only a few scanner "
            f"subscriptions at a time, and cancels some scans outside trading hours; retry in "
            f"a few seconds ({ib})",
            retry_after=5,
        )
    if any(word in lowered for word in ("pacing", "exceed", "max number", "too many")):
        return RateLimited(f"IB's market scanner is busy: {reason} ({ib})", retry_after=5)
    if "permission" in lowered or "not subscribed" in lowered:
        return not_subscribed(code, text, what)
    field = next((name for word, name in _SCANNER_FIELDS if word in lowered), None)
    refused = ("invalid", "not valid", "not configured", "not supported", "disabled", "unknown")
    if field is not None or any(word in lowered for word in refused):
        return InvalidRequest(
            f"IB's market scanner refused {what}: {reason}; {_SCANNER_HELP} ({ib})", field=field
        )
    return GatewayError(f"IB's market scanner failed {what}: {reason} ({ib})", ib_code=code)


def translate(exc: BaseException, what: str, timeout: float | None = None) -> DomainError:
    """A domain error for what ib_async raised while serving ``what``."""
    if isinstance(exc, DomainError):
        return exc
    if isinstance(exc, RequestError):
        return to_domain(exc.code, exc.message, what)
    if isinstance(exc, asyncio.TimeoutError | TimeoutError):
        limit = f" within {timeout:g} s" if timeout is not None else ""
        return BrokerTimeout(f"The IB Gateway did not answer {what}{limit}")
    if isinstance(exc, ConnectionError | OSError):
        return NotConnected(
            f"The connection to the IB Gateway dropped during {what}: {exc}", retry_after=2
        )
    return GatewayError(f"{what} failed: {type(exc).__name__}: {exc}")


def retry_after(seconds: float) -> int:
    """Whole seconds for a Retry-After, at least 1."""
    return max(1, math.ceil(seconds))

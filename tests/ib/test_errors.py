"""The IB error-code table."""

from __future__ import annotations

import pytest
from ib_async import RequestError

from adapters.ib import errors
from domain.errors import (
    BrokerTimeout,
    CompetingSession,
    ContractNotFound,
    GatewayError,
    InvalidRequest,
    MarketDataNotSubscribed,
    MarketDataUnavailable,
    NotConnected,
    OrderNotFound,
    OrderRejected,
    RateLimited,
    ReadOnly,
)


@pytest.mark.parametrize(
    ("code", "text", "expected"),
    [
        (200, "No security definition has been found for the request", ContractNotFound),
        (201, "Order rejected - reason:Insufficient funds", OrderRejected),
        (202, "Order Canceled - reason:", OrderRejected),
        (10147, "OrderId 5 that needs to be cancelled is not found.", OrderNotFound),
        (
            162,
            "Historical Market Data Service error message:Historical data request pacing violation",
            RateLimited,
        ),
        (
            162,
            "Historical Market Data Service error message:HMDS query returned no data",
            MarketDataUnavailable,
        ),
        (
            162,
            "Historical Market Data Service error message:Time length exceed max.",
            InvalidRequest,
        ),
        (354, "Requested market data is not subscribed.", MarketDataNotSubscribed),
        (
            10089,
            "Requested market data requires additional subscription for API.",
            MarketDataNotSubscribed,
        ),
        (10090, "Part of requested market data is not subscribed.", MarketDataNotSubscribed),
        (10168, "Delayed market data is not enabled.", MarketDataNotSubscribed),
        (
            430,
            "fundamentals data for the security specified is not available.",
            MarketDataNotSubscribed,
        ),
        (10197, "No market data during competing live session", CompetingSession),
        (
            162,
            "Historical Market Data Service error message:No market data permissions for NYSE STK",
            MarketDataNotSubscribed,
        ),
        (
            10167,
            "Requested market data is not subscribed. Displaying delayed market data.",
            MarketDataUnavailable,
        ),
        (
            321,
            "Error validating request:-'a0' : cause - The API interface is currently in Read-Only mode.",
            ReadOnly,
        ),
        (321, "Error validating request: invalid tick type", InvalidRequest),
        (502, "Couldn't connect to TWS.", NotConnected),
        (504, "Not connected", NotConnected),
        (100, "Max rate of messages per second has been exceeded.", RateLimited),
        (9999, "Something new", GatewayError),
    ],
)
def test_codes_map_to_domain_errors_with_ib_text(code: int, text: str, expected: type) -> None:
    error = errors.to_domain(code, text, "AAPL")
    assert type(error) is expected
    assert text.split(":")[-1].strip().rstrip(".") in error.message


def test_rejections_keep_ib_text_and_code() -> None:
    error = errors.to_domain(201, "Order rejected - reason:Insufficient funds")
    assert isinstance(error, OrderRejected)
    assert error.message == "Order rejected - reason:Insufficient funds" and error.ib_code == 201


@pytest.mark.parametrize(
    "code", [2104, 2106, 2158, 2103, 2105, 2157, 2100, 2199, 10167, 1101, 1102, 399]
)
def test_warnings_never_fail_a_request(code: int) -> None:
    assert errors.is_warning(code)


@pytest.mark.parametrize("code", [200, 201, 162, 354, 10147, 502, 100, 1100])
def test_failures_are_not_warnings(code: int) -> None:
    assert not errors.is_warning(code)


def test_connection_notices() -> None:
    assert all(errors.is_connection_notice(c) for c in (1100, 1101, 1102, 2103, 2104, 2157, 2158))
    assert not errors.is_connection_notice(200)


def test_translate_what_ib_async_raises() -> None:
    assert isinstance(errors.translate(RequestError(3, 200, "no def"), "x"), ContractNotFound)
    timeout = errors.translate(TimeoutError(), "the positions", 10)
    assert isinstance(timeout, BrokerTimeout) and "within 10 s" in timeout.message
    dropped = errors.translate(ConnectionError("Socket disconnect"), "the positions")
    assert isinstance(dropped, NotConnected) and dropped.retry_after == 2
    assert errors.retry_after(0.2) == 1 and errors.retry_after(14.1) == 15


HMDS = "Historical Market Data Service error message:"


@pytest.mark.parametrize(
    ("text", "expected", "field"),
    [
        # IB's words (IBKR support, ib_async issue 168) for a location it has no scanner for
        (
            f"{HMDS}Error: Market Scanner is not configured for one of the chosen locations.",
            InvalidRequest,
            "location_code",
        ),
        (f"{HMDS}Scanner filter usdMarketCapAbove is disabled.", InvalidRequest, "filter_codes"),
        (f"{HMDS}Error: The scan code NOSUCH is not valid.", InvalidRequest, "scan_code"),
        (f"{HMDS}Error: Instrument XX is not valid for the scanner.", InvalidRequest, "instrument"),
        # IB cancelled a scan that was still waiting: retry later
        (f"{HMDS}API scanner subscription cancelled: 7", RateLimited, None),
        (f"{HMDS}Scanner: no market data permissions for NYSE", MarketDataNotSubscribed, None),
        (f"{HMDS}Scanner service is having a bad day", GatewayError, None),
    ],
)
def test_scanner_162s_are_about_the_scan_not_historical_data(
    text: str, expected: type, field: str | None
) -> None:
    for error in (
        errors.scanner_error(162, text, "the MOST_ACTIVE scan"),
        errors.to_domain(162, text, "the MOST_ACTIVE scan"),  # IB's text speaks of a scan
    ):
        assert type(error) is expected, error
        assert "historical data" not in error.message.lower()
        assert "scan" in error.message and text.split(":", 1)[1] in error.message
        assert error.details.get("field") == field
    if expected is RateLimited:
        assert error.details["retry_after"] == 5
        assert "IB cancelled the MOST_ACTIVE scan" in error.message


def test_historical_162s_keep_their_meaning() -> None:
    text = f"{HMDS}HMDS query returned no data: AAPL@SMART Trades"
    assert isinstance(errors.scanner_error(200, "no def"), ContractNotFound)
    assert isinstance(errors.to_domain(162, text, "AAPL"), MarketDataUnavailable)

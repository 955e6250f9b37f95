"""Every failure as one JSON shape: ``{"error": ..., "code": ..., "status": ..., **details}``.

``error`` is the key the API contract names; ``code`` is the stable machine-readable cause
(the domain error's code); the details (``field``, ``accepted``, ``candidates``, ``retry_after``,
``ib_code``) say what to change. The table below is the only place that maps errors to statuses.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import msgspec
import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, SerializationException, ValidationException
from litestar.openapi import ResponseSpec
from litestar.types import ExceptionHandlersMap

from domain.errors import (
    AmbiguousContract,
    AuditUnavailable,
    BrokerTimeout,
    CompetingSession,
    ContractNotFound,
    DataNotFound,
    DomainError,
    GatewayError,
    IdempotencyConflict,
    IdempotencyInProgress,
    InvalidRequest,
    JournalUnavailable,
    LinesExhausted,
    MarketDataNotSubscribed,
    MarketDataUnavailable,
    NotConnected,
    NotSupported,
    OpenOrdersChanged,
    OrderNotFound,
    OrderRejected,
    RateLimited,
    ReadOnly,
    SubscriptionNotFound,
)
from entrypoints.logging import REDACTOR

log = structlog.get_logger("ibkr_mcp.http")

STATUS_BY_ERROR: dict[type[DomainError], int] = {
    InvalidRequest: 400,
    ReadOnly: 403,
    ContractNotFound: 404,
    DataNotFound: 404,
    OrderNotFound: 404,
    SubscriptionNotFound: 404,
    AmbiguousContract: 409,
    IdempotencyConflict: 409,
    IdempotencyInProgress: 409,
    OpenOrdersChanged: 409,
    OrderRejected: 422,
    RateLimited: 429,
    NotSupported: 501,
    GatewayError: 502,
    NotConnected: 503,
    # No data for the contract right now (data farm down, or no subscription): not our fault.
    MarketDataUnavailable: 503,
    # The account lacks the subscription IB requires: like a read-only API, a refusal that no
    # retry lifts until the account holder acts (subscribes, or uses delayed data).
    MarketDataNotSubscribed: 403,
    # The IB user is logged in to a live session elsewhere: IB withholds data until it ends.
    CompetingSession: 409,
    # The account's market data lines are all in use: the service is full, not the caller
    # (a caller over its own stream cap is a RateLimited, 429).
    LinesExhausted: 503,
    BrokerTimeout: 504,
    # The order action could not be recorded: the service refuses to act unrecorded.
    AuditUnavailable: 503,
    # The journal that keeps orders from being placed twice cannot be reached: nothing is sent.
    JournalUnavailable: 503,
    # A domain error nobody mapped yet: its message is still written for callers.
    DomainError: 500,
}
INTERNAL_MESSAGE = "Internal server error; the incident was logged"


class ErrorBody(msgspec.Struct, kw_only=True):
    """The body of every error response (documentation; handlers build plain dicts)."""

    error: str
    code: str
    status: int
    field: str | msgspec.UnsetType = msgspec.UNSET
    accepted: list[str] | msgspec.UnsetType = msgspec.UNSET
    candidates: list[dict[str, Any]] | msgspec.UnsetType = msgspec.UNSET
    retry_after: int | msgspec.UnsetType = msgspec.UNSET
    ib_code: int | msgspec.UnsetType = msgspec.UNSET
    # Refusals by this service's own rules: which rule, its configured limit, and why.
    rule: str | msgspec.UnsetType = msgspec.UNSET
    limit: Any | msgspec.UnsetType = msgspec.UNSET
    reason: str | msgspec.UnsetType = msgspec.UNSET
    fields: list[str] | msgspec.UnsetType = msgspec.UNSET
    notional: float | msgspec.UnsetType = msgspec.UNSET
    order_id: int | msgspec.UnsetType | None = msgspec.UNSET
    # market_data_not_subscribed: which data (and contract) and what the account holder can do.
    data: str | msgspec.UnsetType = msgspec.UNSET
    remedy: str | msgspec.UnsetType = msgspec.UNSET


def status_for(exc: DomainError) -> int:
    return status_of(type(exc))


def status_of(error: type[DomainError]) -> int:
    for cls in error.__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 500


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None, **details: Any
) -> Response[dict[str, Any]]:
    # Details come from exceptions; anything msgspec cannot encode is sent as its str().
    body = {**msgspec.to_builtins(details, enc_hook=str), "error": message, "code": code}
    body = REDACTOR.known(body)  # a caller's input echoed back never carries a secret
    body["status"] = status
    return Response(body, status_code=status, headers=headers, media_type="application/json")


def _domain_error(_: Request[Any, Any, Any], exc: DomainError) -> Response[dict[str, Any]]:
    status = status_for(exc)
    headers = None
    retry_after = getattr(exc, "retry_after", exc.details.get("retry_after"))
    if isinstance(retry_after, int):
        headers = {"Retry-After": str(retry_after)}
    if status >= 500:
        log.warning("http.domain_error", code=exc.code, status=status, message=exc.message)
    message = exc.message
    field = exc.details.get("field")
    if isinstance(field, str) and field not in message:
        message = f"{field}: {message}"
    return error_response(status, exc.code, message, headers, **exc.details)


def _msgspec_error(_: Request[Any, Any, Any], exc: msgspec.ValidationError) -> Response[Any]:
    # Input is validated field by field before it reaches the core (entrypoints/catalog), so
    # errors name their field there; one raised further in has no field to name.
    return error_response(400, InvalidRequest.code, str(exc))


def _http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if isinstance(exc, ValidationException):
        return _validation_error(exc)
    status = exc.status_code
    if status >= 500:
        return _unexpected(request, exc)
    if isinstance(exc.__cause__, SerializationException):
        message = f"body is not valid JSON ({exc.detail})"
        return error_response(400, InvalidRequest.code, message, field="body")
    if status == 400:
        return error_response(400, InvalidRequest.code, exc.detail, exc.headers)
    code = HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    return error_response(status, code, exc.detail, exc.headers)


def _validation_error(exc: ValidationException) -> Response[Any]:
    problems = exc.extra if isinstance(exc.extra, list) else []
    if not problems:
        return error_response(400, InvalidRequest.code, exc.detail)
    fields, parts = [], []
    for problem in problems:
        source = getattr(problem.get("source"), "value", problem.get("source")) or "request"
        raw_key = problem.get("key") or source
        key = "body" if raw_key == "data" else raw_key
        message = problem.get("message", "invalid")
        fields.append(key)
        where = key if key == source else f"{key} ({source})"
        parts.append(f"{where}: {message}")
    return error_response(400, InvalidRequest.code, "; ".join(parts), field=fields[0])


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.error(
        "http.unhandled_error",
        method=request.method,
        path=request.url.path,
        error_type=type(exc).__name__,
        exc_info=exc,
    )
    return error_response(500, "internal_error", INTERNAL_MESSAGE)


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    DomainError: _domain_error,
    msgspec.ValidationError: _msgspec_error,
    HTTPException: _http_error,
    Exception: _unexpected,
}


def responses(*errors: type[DomainError]) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the statuses of the errors a handler can answer with (500 always)."""
    statuses = {status_of(error) for error in errors}
    return {
        status: ResponseSpec(
            data_container=ErrorBody,
            description=HTTPStatus(status).phrase,
            generate_examples=False,
        )
        for status in sorted({*statuses, 500})
    }

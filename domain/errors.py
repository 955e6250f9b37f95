"""Domain errors: what can go wrong, in words a caller can act on.

Each error carries a stable ``code`` (snake_case) and optional ``details``; the front doors
(HTTP, MCP) map the class to a status or a tool error and never need to parse the message.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error the core raises on purpose."""

    code = "domain_error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = details


class InvalidRequest(DomainError):
    """Input that can never succeed: names the field and, where it helps, the accepted values."""

    code = "invalid_request"

    def __init__(
        self, message: str, *, field: str | None = None, accepted: list[str] | None = None
    ) -> None:
        details: dict[str, Any] = {}
        if field is not None:
            details["field"] = field
        if accepted is not None:
            details["accepted"] = accepted
        super().__init__(message, **details)
        self.field = field
        self.accepted = accepted


class UnknownAccount(InvalidRequest):
    """An account id this IB session does not manage; ``accepted`` lists the managed ids."""

    code = "unknown_account"


class NotConnected(DomainError):
    """The broker has no live session with the gateway; retry after ``retry_after`` seconds."""

    code = "not_connected"

    def __init__(self, message: str = "Not connected to the IB Gateway", *, retry_after: int = 5):
        super().__init__(message, retry_after=retry_after)
        self.retry_after = retry_after


class BrokerTimeout(DomainError):
    """The gateway did not answer within the allowed time."""

    code = "broker_timeout"


class ContractNotFound(DomainError):
    code = "contract_not_found"


class DataNotFound(DomainError):
    """IB has no such data: an article id it does not know, fundamentals of an instrument
    without them (IB's 430)."""

    code = "data_not_found"


class AmbiguousContract(DomainError):
    """Several contracts match; ``candidates`` lists them so the caller can pick one."""

    code = "ambiguous_contract"

    def __init__(self, message: str, *, candidates: list[Any]) -> None:
        super().__init__(message, candidates=candidates)
        self.candidates = candidates


class OrderNotFound(DomainError):
    code = "order_not_found"


class SubscriptionNotFound(DomainError):
    code = "subscription_not_found"


class OrderRejected(DomainError):
    """IB (or one of our own guardrails) refused the order; nothing is working at the broker."""

    code = "order_rejected"

    def __init__(self, message: str, *, ib_code: int | None = None, **details: Any) -> None:
        if ib_code is not None:
            details["ib_code"] = ib_code
        super().__init__(message, **details)
        self.ib_code = ib_code


class RateLimited(DomainError):
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int = 1) -> None:
        super().__init__(message, retry_after=retry_after)
        self.retry_after = retry_after


class LinesExhausted(RateLimited):
    """Every market data line the account has is in use (IB's 101, or our own budget)."""

    code = "market_data_lines_exhausted"


class TooManyStreams(RateLimited):
    """The caller already holds as many live streams as it may."""

    code = "too_many_streams"


class ReadOnly(DomainError):
    """A state-changing operation while the service or the IB API is read-only."""

    code = "read_only"


class MarketDataUnavailable(DomainError):
    """No market data for the contract (no subscription, or the data farm is down)."""

    code = "market_data_unavailable"


class MarketDataNotSubscribed(MarketDataUnavailable):
    """The account lacks the market data or research subscription IB requires for this data
    (IB's 354, 10089, 10090, 10168, 162 "No market data permissions", 430). Retrying does not
    help: ``remedy`` says what the account holder can do (subscribe, or use delayed data)."""

    code = "market_data_not_subscribed"

    def __init__(self, message: str, *, ib_code: int, data: str, remedy: str) -> None:
        super().__init__(f"{message}. {remedy}", ib_code=ib_code, data=data, remedy=remedy)
        self.ib_code = ib_code
        self.data = data
        self.remedy = remedy


class CompetingSession(MarketDataUnavailable):
    """IB sends no market data to this session while the same user is logged in to a live
    session elsewhere (IB's 10197); it resumes when that session ends."""

    code = "competing_live_session"

    def __init__(self, message: str, *, ib_code: int = 10197, retry_after: int = 60) -> None:
        super().__init__(message, ib_code=ib_code, retry_after=retry_after)
        self.retry_after = retry_after


class GatewayError(DomainError):
    """The gateway runtime (container, simulator) could not do what was asked."""

    code = "gateway_error"


class NotSupported(DomainError):
    """The configured gateway cannot do this (e.g. logs of an external gateway)."""

    code = "not_supported"


class LiveTradingDisabled(ReadOnly):
    """Order placement on a live (real-money) account without the operator's explicit consent."""

    code = "live_trading_disabled"


class GuardrailViolation(OrderRejected):
    """One of the operator's order guardrails refused the order; nothing was sent to IB.

    ``rule`` names the guardrail (the setting's name, e.g. ``max_order_quantity``) and ``limit``
    its configured value, so a caller knows what to change.
    """

    code = "guardrail_violation"

    def __init__(self, message: str, *, rule: str, limit: Any = None, **details: Any) -> None:
        super().__init__(message, rule=rule, limit=limit, **details)
        self.rule = rule
        self.limit = limit


class IdempotencyConflict(OrderRejected):
    """The idempotency key (client_order_id) already placed a different order; nothing new was
    sent. ``order_id`` is the order the key placed."""

    code = "idempotency_conflict"


class IdempotencyInProgress(DomainError):
    """Another request (perhaps in another process) is placing the order of this idempotency
    key right now; retry after ``retry_after`` seconds to get its result."""

    code = "idempotency_in_progress"

    def __init__(self, message: str, *, retry_after: int = 2) -> None:
        super().__init__(message, retry_after=retry_after)
        self.retry_after = retry_after


class PreviewRequired(OrderRejected):
    """Placement needs a confirmation token from a preview of the same order first."""

    code = "preview_required"


class InvalidConfirmation(OrderRejected):
    """The confirmation token is unknown, expired, already used, or previewed another order."""

    code = "invalid_confirmation"


class OpenOrdersChanged(DomainError):
    """An action confirmed for the open orders someone saw meets others: nothing was done."""

    code = "open_orders_changed"


class AuditUnavailable(DomainError):
    """The audit trail could not be written; ``order_id`` is set when the order reached IB."""

    code = "audit_unavailable"


class JournalUnavailable(DomainError):
    """The order journal (idempotency keys) could not be read or written. ``order_id`` is set
    when the order reached IB anyway; a retry with the same key then answers it."""

    code = "journal_unavailable"

    def __init__(self, message: str, *, retry_after: int = 5, **details: Any) -> None:
        super().__init__(message, retry_after=retry_after, **details)
        self.retry_after = retry_after

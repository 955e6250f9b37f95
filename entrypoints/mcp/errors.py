"""Domain errors as tool errors: one sentence of what went wrong, one of what to do next.

An agent cannot read a stack trace or an HTTP status; it reads text. Every message starts with
the error's stable code (``not_connected: ...``) and ends with the next step to take.
"""

from __future__ import annotations

from typing import Any

import msgspec

from domain.errors import (
    AmbiguousContract,
    AuditUnavailable,
    BrokerTimeout,
    CompetingSession,
    ContractNotFound,
    DomainError,
    GatewayError,
    GuardrailViolation,
    IdempotencyConflict,
    IdempotencyInProgress,
    InvalidConfirmation,
    InvalidRequest,
    JournalUnavailable,
    LinesExhausted,
    LiveTradingDisabled,
    MarketDataNotSubscribed,
    MarketDataUnavailable,
    NotConnected,
    NotSupported,
    OpenOrdersChanged,
    OrderNotFound,
    OrderRejected,
    PreviewRequired,
    RateLimited,
    ReadOnly,
    SubscriptionNotFound,
    TooManyStreams,
)

MAX_CANDIDATES_SHOWN = 10
_CANDIDATE_FIELDS = (
    "con_id",
    "symbol",
    "sec_type",
    "exchange",
    "primary_exchange",
    "currency",
    "last_trade_date_or_contract_month",
    "strike",
    "right",
    "trading_class",
)


def explain(exc: DomainError) -> str:
    """The text of the tool error an agent receives for a domain error."""
    return f"{exc.code}: {exc.message.rstrip('.')}. {_next_step(exc)}".rstrip()


def _next_step(exc: DomainError) -> str:
    if isinstance(exc, AmbiguousContract):
        return _ambiguous(exc)
    if isinstance(exc, NotConnected):
        return (
            f"Retry in {exc.retry_after} s; if it persists call reconnect "
            "(get_connection_status shows the session state)."
        )
    if isinstance(exc, TooManyStreams):
        return "close_subscription ends one you no longer read (list_subscriptions lists them)."
    if isinstance(exc, LinesExhausted):
        return f"Retry in {exc.retry_after} s, or close subscriptions to free market data lines."
    if isinstance(exc, SubscriptionNotFound):
        return "open_subscription starts a new one."
    if isinstance(exc, RateLimited):
        return f"IB pacing limit: wait {exc.retry_after} s before calling again."
    if isinstance(exc, BrokerTimeout):
        return "Retry once; if it times out again check get_connection_status."
    if isinstance(exc, InvalidRequest):
        return _invalid(exc)
    if isinstance(exc, OpenOrdersChanged):
        return "Show the user get_open_orders as they are now and ask again before cancelling."
    safety = _safety_step(exc)
    if safety:
        return safety
    if isinstance(exc, IdempotencyConflict):
        return (
            f"Order {exc.details.get('order_id')} (the first one with that key) is unchanged; "
            "get_open_orders shows its state. For a new order use a new client_order_id."
        )
    if isinstance(exc, IdempotencyInProgress):
        return (
            f"Call place_order again with the same arguments in {exc.retry_after} s: it answers "
            "with that order once it is placed, and never places it twice."
        )
    if isinstance(exc, OrderRejected):
        code = f"IB error code {exc.ib_code}. " if exc.ib_code is not None else ""
        return f"{code}Nothing is working at the broker; fix the order and place it again."
    if isinstance(exc, ContractNotFound):
        return "Check symbol, sec_type, exchange and currency with get_contract_details."
    if isinstance(exc, OrderNotFound):
        return "get_open_orders lists the orders that are still working."
    if isinstance(exc, ReadOnly):
        return "This service or the IB API is read-only: orders cannot be placed or cancelled."
    if isinstance(exc, MarketDataNotSubscribed | CompetingSession):
        return "Tell the user: retrying does not help until then."
    if isinstance(exc, MarketDataUnavailable):
        wait = exc.details.get("retry_after")
        if wait is not None:  # an outage IB reported: it ends when IB says so
            return f"Do not use old prices; retry in {wait} s (get_health shows when IB is back)."
        return (
            "The account may lack a market data subscription for it; try get_historical_data "
            "or retry later."
        )
    if isinstance(exc, GatewayError):
        return "get_gateway_status and get_gateway_logs show what the gateway is doing."
    if isinstance(exc, NotSupported):
        return "This gateway mode does not offer it."
    return ""


def _safety_step(exc: DomainError) -> str:
    """Next steps for refusals by the operator's rules (nothing reached IB for any of them)."""
    if isinstance(exc, GuardrailViolation):
        wait = exc.details.get("retry_after")
        if exc.rule == "max_orders_per_minute" and wait:
            return f"Nothing was sent to IB. Wait {wait} s before placing another order."
        if exc.rule == "max_previews_per_minute" and wait:
            return f"Nothing was sent to IB. Wait {wait} s before previewing another order."
        return (
            f"Nothing was sent to IB. The operator's rule {exc.rule} (limit {exc.limit}) "
            "cannot be changed from here: change the order to fit it, or ask the user."
        )
    if isinstance(exc, PreviewRequired):
        return (
            "Nothing was sent to IB. Call preview_order with the same arguments, confirm the "
            "cost with the user, then call place_order again with its confirmation_token."
        )
    if isinstance(exc, InvalidConfirmation):
        return (
            "Nothing was sent to IB. Call preview_order again with exactly the order you want "
            "to place and use the new confirmation_token once."
        )
    if isinstance(exc, LiveTradingDisabled):
        return (
            "Nothing was sent to IB. Only the operator can allow live trading "
            "(--allow-live-trading); tell the user."
        )
    if isinstance(exc, AuditUnavailable):
        placed = exc.details.get("order_id")
        if placed is not None:
            return (
                f"Order {placed} did reach IB: do not place it again; check get_open_orders "
                "and tell the operator the audit file cannot be written."
            )
        return "Tell the operator the audit file cannot be written; do not retry until fixed."
    if isinstance(exc, JournalUnavailable):
        placed = exc.details.get("order_id")
        if placed is not None:
            return (
                f"Order {placed} did reach IB: do not place a new one; a retry with the same "
                "client_order_id answers it once the journal is back."
            )
        return (
            f"Nothing was sent to IB. Retry in {exc.retry_after} s with the same arguments; "
            "tell the operator if it persists."
        )
    return ""


def _invalid(exc: InvalidRequest) -> str:
    parts = []
    if exc.field and exc.field not in exc.message:
        parts.append(f"Field: {exc.field}.")
    if exc.accepted and not all(value in exc.message for value in exc.accepted):
        parts.append(f"Accepted values: {', '.join(exc.accepted)}.")
    parts.append("Correct the argument and call again.")
    return " ".join(parts)


def _ambiguous(exc: AmbiguousContract) -> str:
    shown = [_compact(c) for c in exc.candidates[:MAX_CANDIDATES_SHOWN]]
    more = len(exc.candidates) - len(shown)
    listing = "; ".join(shown) + (f"; ... and {more} more" if more > 0 else "")
    return f"Candidates: {listing}. Call again with one con_id as contract_id."


def _compact(candidate: Any) -> str:
    data = candidate if isinstance(candidate, dict) else msgspec.to_builtins(candidate)
    return " ".join(
        f"{name}={data[name]:g}" if isinstance(data[name], float) else f"{name}={data[name]}"
        for name in _CANDIDATE_FIELDS
        if data.get(name) not in (None, "", 0, 0.0)
    )

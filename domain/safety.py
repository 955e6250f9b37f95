"""What makes the service safe to hand to an agent: who called, what the operator allows,
what a preview promised, and what the audit trail remembers."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
import msgspec.structs
from msgspec import Meta

from domain.contract import Contract
from domain.orders import OrderRequest

Transport = Literal["rest", "mcp", "stdio"]
AuditAction = Literal[
    "preview", "place", "modify", "cancel", "refusal",
    # orders that belong together, and account-wide actions (domain/brackets.py)
    "preview_bracket", "place_bracket", "place_oca", "cancel_all", "exercise",
]  # fmt: skip
OrderOperation = Literal[
    "preview", "place", "modify", "cancel",
    "preview_bracket", "place_bracket", "place_oca", "cancel_all", "exercise",
]  # fmt: skip
# IB numbers paper accounts DU... (and DF... for a paper advisor master); the rest trade money.
PAPER_ACCOUNT_PREFIXES = ("DU", "DF")


def is_paper_account(account_id: str) -> bool:
    """True for an IB paper-trading account id (``DU1234567``, ``DF1234567``)."""
    return account_id.strip().upper().startswith(PAPER_ACCOUNT_PREFIXES)


class Caller(msgspec.Struct, frozen=True, kw_only=True):
    """Who asked: the name of the token they presented (never the token) and the front door."""

    name: str
    transport: Transport

    @property
    def is_agent(self) -> bool:
        """MCP callers (over HTTP or stdio) are agents: they get the stricter defaults."""
        return self.transport != "rest"


class TradingPolicy(msgspec.Struct, frozen=True, kw_only=True):
    """The operator's rules for orders; ``None`` switches a limit off."""

    read_only: bool = False
    allow_live_trading: bool = False
    require_preview_rest: bool = False
    require_preview_mcp: bool = True
    max_order_quantity: Annotated[float, Meta(gt=0)] | None = None
    max_order_notional: Annotated[float, Meta(gt=0)] | None = None
    allowed_sec_types: frozenset[str] | None = None
    allowed_symbols: frozenset[str] | None = None
    max_orders_per_minute: Annotated[int, Meta(gt=0)] | None = None
    max_previews_per_minute: Annotated[int, Meta(gt=0)] | None = None

    def __post_init__(self) -> None:
        # Constructed from settings, not decoded: msgspec's Meta bounds do not run here.
        for limit in (
            "max_order_quantity",
            "max_order_notional",
            "max_orders_per_minute",
            "max_previews_per_minute",
        ):
            value = getattr(self, limit)
            if value is not None and not (math.isfinite(value) and value > 0):
                raise ValueError(f"{limit} must be a number > 0 (or unset), got {value!r}")
        # IB spells symbols and security types in capitals; so must the allow-lists.
        for name in ("allowed_sec_types", "allowed_symbols"):
            values = getattr(self, name)
            if values is not None:
                upper = frozenset(v.strip().upper() for v in values if v.strip())
                msgspec.structs.force_setattr(self, name, upper)

    def requires_preview(self, caller: Caller, *, live_account: bool) -> bool:
        """Live accounts always need a preview; otherwise it depends on the front door."""
        if live_account:
            return True
        return self.require_preview_mcp if caller.is_agent else self.require_preview_rest


class WhatIf(msgspec.Struct, frozen=True, kw_only=True):
    """IB's what-if verdict on an order: its commission and what it does to the margin.

    Amounts are in the account's base currency (commission in ``commission_currency``); null
    where IB sent no value.
    """

    commission: float | None = None
    min_commission: float | None = None
    max_commission: float | None = None
    commission_currency: str | None = None
    init_margin_change: float | None = None
    init_margin_after: float | None = None
    maint_margin_change: float | None = None
    maint_margin_after: float | None = None
    equity_with_loan_change: float | None = None
    equity_with_loan_after: float | None = None
    warning_text: str | None = None


class OrderPreview(msgspec.Struct, frozen=True, kw_only=True):
    """A what-if check of an order, and the token that lets exactly this order be placed once."""

    order: OrderRequest
    contract: Contract
    commission: float | None = None
    min_commission: float | None = None
    max_commission: float | None = None
    commission_currency: str | None = None
    init_margin_change: float | None = None
    init_margin_after: float | None = None
    maint_margin_change: float | None = None
    maint_margin_after: float | None = None
    equity_with_loan_change: float | None = None
    equity_with_loan_after: float | None = None
    warning_text: str | None = None
    # Send it as confirmation_token with the identical order to place it; single use.
    confirmation_token: str
    expires_at: datetime


class AuditError(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    message: str
    # For refusals by the operator's rules: which rule (e.g. max_order_quantity).
    rule: str | None = None


class AuditEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One order action as the audit trail records it: one JSON line each.

    ``action`` is ``refusal`` when this service's own rules refused the request (read-only,
    guardrails, missing or bad confirmation); ``operation`` then says what was asked for.
    """

    time: datetime
    caller: str
    transport: Transport
    action: AuditAction
    operation: OrderOperation
    request: dict[str, Any]
    result: dict[str, Any] | None = None
    error: AuditError | None = None
    order_id: int | None = None

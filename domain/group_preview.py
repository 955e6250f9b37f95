"""What a preview of a bracket answers: each leg's what-if, the bracket's cost, and a token."""

from __future__ import annotations

from datetime import datetime

import msgspec

from domain.brackets import Role
from domain.contract import Contract
from domain.orders import OrderRequest
from domain.safety import WhatIf


class LegPreview(msgspec.Struct, frozen=True, kw_only=True):
    role: Role
    order: OrderRequest
    what_if: WhatIf


class BracketPreview(msgspec.Struct, frozen=True, kw_only=True):
    """IB's what-if check of every order of a bracket. ``commission`` is the entry's plus the
    dearest exit's (only one exit can fill); the margin figures are the entry's (the exits
    only close what it opens). Place the identical bracket with ``confirmation_token``."""

    contract: Contract
    legs: list[LegPreview]
    commission: float | None = None
    commission_currency: str | None = None
    init_margin_change: float | None = None
    init_margin_after: float | None = None
    maint_margin_change: float | None = None
    maint_margin_after: float | None = None
    equity_with_loan_change: float | None = None
    equity_with_loan_after: float | None = None
    warning_text: str | None = None
    confirmation_token: str
    expires_at: datetime

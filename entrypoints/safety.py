"""The operator's safety settings turned into the core's policy objects."""

from __future__ import annotations

from domain.safety import TradingPolicy
from entrypoints.settings import Settings, SettingsError


def trading_policy(settings: Settings) -> TradingPolicy:
    """The ``TradingPolicy`` the settings describe.

    ``require_preview`` unset: agents (MCP) need a preview, REST callers do not; true or false
    applies to both. Live accounts always need one (the policy itself says so).
    """
    preview = settings.require_preview
    try:
        return TradingPolicy(
            read_only=settings.read_only,
            allow_live_trading=settings.allow_live_trading,
            require_preview_rest=bool(preview),
            require_preview_mcp=True if preview is None else preview,
            max_order_quantity=settings.max_order_quantity,
            max_order_notional=settings.max_order_notional,
            allowed_sec_types=_allow_list(settings.allowed_sec_types),
            allowed_symbols=_allow_list(settings.allowed_symbols),
            max_orders_per_minute=settings.max_orders_per_minute or None,
            max_previews_per_minute=settings.max_previews_per_minute or None,
        )
    except ValueError as exc:
        raise SettingsError(str(exc)) from None


def _allow_list(values: tuple[str, ...] | None) -> frozenset[str] | None:
    # An empty list would refuse every order; unset (or empty) means "no restriction".
    cleaned = frozenset(v.strip() for v in values or () if v.strip())
    return cleaned or None

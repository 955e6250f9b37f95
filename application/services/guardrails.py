"""The operator's order guardrails, checked before anything reaches IB."""

from __future__ import annotations

import contextlib
import math
from collections import deque

from application.ports import Broker, Clock
from application.services.research import PriceRules
from domain.contract import Contract
from domain.errors import (
    DomainError,
    GuardrailViolation,
    InvalidRequest,
    LiveTradingDisabled,
    ReadOnly,
)
from domain.order_size import check_quantity
from domain.orders import OrderRequest
from domain.safety import TradingPolicy

WINDOW_SECONDS = 60.0


class OrderGuard:
    """Refuses an order whole, naming the rule it broke, before it is sent.

    Order of the checks: read-only, live account, a meaningful quantity (the contract's size
    rule), prices on the contract's ticks (its market rule, with ``prices``), security type, symbol, quantity, notional;
    the per-minute windows are separate (``take_slot``, ``take_preview_slot``) because only
    requests actually sent to IB count against them.
    """

    def __init__(
        self,
        policy: TradingPolicy,
        broker: Broker,
        clock: Clock,
        *,
        prices: PriceRules | None = None,
    ) -> None:
        self._policy = policy
        self._prices = prices
        self._broker = broker
        self._clock = clock
        self._orders = RateWindow(
            policy.max_orders_per_minute, clock, rule="max_orders_per_minute", what="orders"
        )
        self._previews = RateWindow(
            policy.max_previews_per_minute,
            clock,
            rule="max_previews_per_minute",
            what="previews (what-if checks)",
        )

    def check_writable(self) -> None:
        if self._policy.read_only:
            raise ReadOnly(
                "The service runs read-only (--read-only): orders cannot be placed, "
                "previewed or cancelled",
                rule="read_only",
            )

    async def check_exercise(self, contract: Contract, quantity: int) -> None:
        """The rules an option exercise (or lapse) answers to: writable, live trading allowed,
        the option's security type and symbol allowed, at most max_order_quantity contracts."""
        self.check_writable()
        if not self._policy.allow_live_trading and await self.account_is_live():
            raise LiveTradingDisabled(
                "This is a live (real-money) account; the service refuses to exercise options "
                "on it unless started with --allow-live-trading",
                rule="allow_live_trading",
            )
        self._check_instrument(contract)
        cap = self._policy.max_order_quantity
        if cap is not None and quantity > cap:
            raise GuardrailViolation(
                f"Quantity {quantity:g} exceeds the maximum of {cap:g} per order",
                rule="max_order_quantity",
                limit=cap,
            )

    async def account_is_live(self) -> bool:
        return await self._broker.account_is_live()

    async def check(
        self, order: OrderRequest, contract: Contract, *, notional: bool = True
    ) -> None:
        """Every rule except the rate window; raises on the first rule the order breaks.
        ``notional=False`` leaves out the order value (a bracket's exits: the bracket's value
        is its entry's)."""
        self.check_writable()
        if not self._policy.allow_live_trading and await self.account_is_live():
            raise LiveTradingDisabled(
                "This is a live (real-money) account; the service refuses to place orders on it "
                "unless started with --allow-live-trading",
                rule="allow_live_trading",
            )
        _check_finite(order)
        check_quantity(order.quantity, contract)
        if self._prices is not None:
            await self._prices.check(order, contract)
        self._check_instrument(contract)
        policy = self._policy
        if policy.max_order_quantity is not None and order.quantity > policy.max_order_quantity:
            raise GuardrailViolation(
                f"Quantity {order.quantity:g} exceeds the maximum of "
                f"{policy.max_order_quantity:g} per order",
                rule="max_order_quantity",
                limit=policy.max_order_quantity,
            )
        if notional and policy.max_order_notional is not None:
            await self._check_notional(order, contract, policy.max_order_notional)

    def _check_instrument(self, contract: Contract) -> None:
        policy = self._policy
        if policy.allowed_sec_types is not None and contract.sec_type not in (
            policy.allowed_sec_types
        ):
            raise GuardrailViolation(
                f"Security type {contract.sec_type} is not allowed; allowed: "
                f"{', '.join(sorted(policy.allowed_sec_types)) or 'none'}",
                rule="allowed_sec_types",
                limit=sorted(policy.allowed_sec_types),
            )
        if policy.allowed_symbols is not None and contract.symbol.upper() not in (
            policy.allowed_symbols
        ):
            raise GuardrailViolation(
                f"Symbol {contract.symbol} is not allowed; allowed: "
                f"{', '.join(sorted(policy.allowed_symbols)) or 'none'}",
                rule="allowed_symbols",
                limit=sorted(policy.allowed_symbols),
            )

    async def _check_notional(self, order: OrderRequest, contract: Contract, cap: float) -> None:
        price = await self._price(order, contract)
        if price is None:
            raise GuardrailViolation(
                f"No price is available for {contract.symbol} to check the order's value "
                f"against the maximum of {cap:g}; send a limit order (limit_price) instead",
                rule="max_order_notional",
                limit=cap,
            )
        notional = price * order.quantity * _multiplier(contract)
        if notional > cap:
            raise GuardrailViolation(
                f"Order value {notional:,.2f} {contract.currency} (price {price:g} x quantity "
                f"{order.quantity:g} x multiplier {_multiplier(contract):g}) exceeds the maximum "
                f"of {cap:,.2f} per order",
                rule="max_order_notional",
                limit=cap,
                notional=notional,
            )

    async def _price(self, order: OrderRequest, contract: Contract) -> float | None:
        """The limit price, else a fresh quote (ask to buy, bid to sell, last as fallback).

        A stop order fills near its stop price once triggered, so the larger of stop and quote;
        the same for the trigger of MIT/LIT and a trailing order's initial stop. Every other
        type without a limit (MOC, TRAIL, REL, MIDPRICE) is valued at the quote, as MKT.
        """
        if order.limit_price is not None:
            return order.limit_price
        try:
            quote = await self._broker.snapshot(contract)
        except DomainError:
            quote = None
        quoted = None
        if quote is not None:
            side = quote.ask if order.action == "BUY" else quote.bid
            quoted = next((p for p in (side, quote.last_price) if _usable(p)), None)
        triggers = (order.stop_price, order.trigger_price, order.trail_stop_price)
        candidates = [p for p in (quoted, *triggers) if p is not None]
        return max(candidates) if candidates else None

    def take_slot(self) -> float:
        """Count one order against the per-minute limit, or refuse it; ``release`` undoes it."""
        return self._orders.take()

    def take_slots(self, count: int) -> list[float]:
        """``count`` slots at once, or none: a refusal gives back those already taken."""
        slots: list[float] = []
        try:
            for _ in range(count):
                slots.append(self.take_slot())
        except DomainError:
            for slot in slots:
                self.release(slot)
            raise
        return slots

    def release(self, slot: float) -> None:
        """Give a slot back: the order was not sent after all (refused, or a duplicate)."""
        self._orders.release(slot)

    def take_preview_slot(self) -> None:
        """Count one what-if check against the previews-per-minute limit, or refuse it."""
        self._previews.take()


class RateWindow:
    """At most ``cap`` events in any ``WINDOW_SECONDS``; ``None`` means no limit."""

    def __init__(self, cap: int | None, clock: Clock, *, rule: str, what: str) -> None:
        self._cap = cap
        self._clock = clock
        self._rule = rule
        self._what = what
        self._times: deque[float] = deque()

    def take(self) -> float:
        now = self._clock.monotonic()
        while self._times and self._times[0] <= now - WINDOW_SECONDS:
            self._times.popleft()
        cap = self._cap
        if cap is not None and len(self._times) >= cap:
            retry_after = max(1, math.ceil(self._times[0] + WINDOW_SECONDS - now))
            raise GuardrailViolation(
                f"At most {cap} {self._what} per minute; try again in {retry_after} s",
                rule=self._rule,
                limit=cap,
                retry_after=retry_after,
            )
        self._times.append(now)
        return now

    def release(self, stamp: float) -> None:
        with contextlib.suppress(ValueError):  # already outside the window
            self._times.remove(stamp)


def _usable(price: float | None) -> bool:
    # IB sends -1 (or 0) for "no price"; NaN when a tick never arrived.
    return price is not None and math.isfinite(price) and price > 0


def _multiplier(contract: Contract) -> float:
    try:
        value = float(contract.multiplier) if contract.multiplier else 1.0
    except ValueError:
        return 1.0
    return value if math.isfinite(value) and value > 0 else 1.0


def _check_finite(order: OrderRequest) -> None:
    for name in ("quantity", "limit_price", "stop_price", "trigger_price", "trailing_amount",
                 "trail_stop_price"):  # fmt: skip
        value = getattr(order, name)
        if value is not None and not (math.isfinite(value) and value > 0):
            raise InvalidRequest(f"{name} must be a finite number > 0", field=name)

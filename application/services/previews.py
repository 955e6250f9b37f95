"""Confirmation tokens: a preview promises that exactly this order may be placed, once, soon."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from application.ports import Clock
from domain.contract import Contract
from domain.errors import InvalidConfirmation
from domain.orders import OrderRequest

MAX_OUTSTANDING = 1000


def order_fingerprint(order: OrderRequest, contract: Contract) -> dict[str, Any]:
    """Everything that changes what IB receives; the idempotency key (client_order_id) does not."""
    return {
        "contract_id": contract.con_id,
        "exchange": order.contract_query().exchange or contract.exchange,
        "action": order.action,
        "quantity": order.quantity,
        "order_type": order.order_type,
        "limit_price": order.limit_price,
        "stop_price": order.stop_price,
        **{name: value for name, value in order.price_terms().items() if value is not None},
        "algo": [order.algo.strategy, order.algo.tag_values()] if order.algo else None,
        "time_in_force": order.time_in_force,
        "good_till_date": order.effective_good_till,
        "outside_rth": order.outside_rth,
        "transmit": order.transmit,
        "account_id": order.account_id,
    }


def token_ref(token: str) -> str:
    """A short, non-secret reference to a token, for the audit trail and logs."""
    return _digest(token)[:12]


@dataclass(slots=True)
class _Promise:
    fingerprint: dict[str, Any]
    expires: float  # on the monotonic clock
    used: bool = False


class PreviewBook:
    """Issues single-use confirmation tokens bound to an order; remembers them for ``ttl``.

    Tokens are kept by their SHA-256 digest only; spent and expired ones are remembered for one
    more ``ttl`` so that a late caller hears why, then forgotten. At most ``max_outstanding``
    are kept (the oldest go first), so memory is bounded whatever callers do.
    """

    def __init__(
        self, clock: Clock, ttl_seconds: float = 120.0, *, max_outstanding: int = MAX_OUTSTANDING
    ) -> None:
        self._clock = clock
        self._ttl = ttl_seconds
        self._max = max_outstanding
        self._promises: dict[str, _Promise] = {}

    def issue(self, order: OrderRequest, contract: Contract) -> tuple[str, datetime]:
        """A fresh token for this order and when it expires (UTC)."""
        return self.issue_for(order_fingerprint(order, contract))

    def issue_for(self, fingerprint: dict[str, Any]) -> tuple[str, datetime]:
        """A fresh token for whatever ``fingerprint`` describes (an order, a bracket)."""
        self._forget_old()
        token = secrets.token_urlsafe(32)
        expires = self._clock.monotonic() + self._ttl
        self._promises[_digest(token)] = _Promise(fingerprint, expires)
        while len(self._promises) > self._max:
            del self._promises[next(iter(self._promises))]
        return token, self._clock.now() + timedelta(seconds=self._ttl)

    def redeem(self, token: str, order: OrderRequest, contract: Contract) -> None:
        """Spend the token on this order, or raise ``InvalidConfirmation`` saying why not.

        A token that previewed a different order stays valid for the order it previewed.
        """
        self.redeem_for(token, order_fingerprint(order, contract))

    def redeem_for(self, token: str, now: dict[str, Any]) -> None:
        """Spend the token on what ``now`` describes (see ``redeem``)."""
        self._forget_old()
        promise = self._promises.get(_digest(token))
        if promise is None:
            raise InvalidConfirmation(
                "Unknown confirmation_token; preview the order (preview_order) to get one",
                reason="unknown",
            )
        if promise.used:
            raise InvalidConfirmation(
                "This confirmation_token was already used; preview the order again",
                reason="already_used",
            )
        if self._clock.monotonic() >= promise.expires:
            raise InvalidConfirmation(
                f"This confirmation_token expired (tokens last {self._ttl:g} s); preview the "
                "order again",
                reason="expired",
            )
        differ = [name for name, value in promise.fingerprint.items() if now.get(name) != value]
        if differ:
            said = ", ".join(
                f"{name} (previewed {promise.fingerprint[name]!r}, now {now[name]!r})"
                for name in differ
            )
            raise InvalidConfirmation(
                f"The order does not match the previewed order: {said}; place exactly the "
                "previewed order, or preview this one",
                reason="mismatch",
                fields=differ,
            )
        promise.used = True

    def _forget_old(self) -> None:
        horizon = self._clock.monotonic() - self._ttl
        stale = [key for key, p in self._promises.items() if p.expires <= horizon]
        for key in stale:
            del self._promises[key]

    def __len__(self) -> int:
        return len(self._promises)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()

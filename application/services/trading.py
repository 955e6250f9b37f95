"""Placing, cancelling and listing orders, with idempotency keys."""

from __future__ import annotations

import asyncio
import re
import weakref
from collections import OrderedDict
from typing import Any

import msgspec
import msgspec.structs

from application.ports import Broker
from application.services.contracts import ContractService
from domain.errors import IdempotencyConflict, InvalidRequest
from domain.orders import MAX_ORDER_ID, CancelResult, OpenOrder, OrderRequest, OrderResult

_KEY = re.compile(r"[A-Za-z0-9._:-]{1,40}")
# How many keys' order terms are remembered to tell a retry from a different order.
MAX_REMEMBERED_KEYS = 10_000


class TradingService:
    def __init__(self, broker: Broker, contracts: ContractService) -> None:
        self._broker = broker
        self._contracts = contracts
        # One lock per idempotency key so that two concurrent retries cannot both place.
        self._key_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )
        # key -> the order it was first sent with (this process only; bounded, oldest first out)
        self._terms: OrderedDict[str, dict[str, Any]] = OrderedDict()

    async def place(self, order: OrderRequest, idempotency_key: str | None = None) -> OrderResult:
        """Place an order once IB acknowledges it; a known idempotency key returns the first order."""
        order = _merge_key(order, idempotency_key)
        key = order.client_order_id
        if key is None:
            return await self._place(order)
        lock = self._key_locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._key_locks[key] = lock
        async with lock:
            existing = await self._broker.find_order(key)
            if existing is not None:
                self._check_same_order(key, order, existing.order_id)
                return msgspec.structs.replace(existing, duplicate=True, client_order_id=key)
            self._remember(key, order)
            return await self._place(order)

    def _check_same_order(self, key: str, order: OrderRequest, order_id: int) -> None:
        """A retry must repeat the order: the same key with other terms is a caller's mistake
        that must not be answered with the first order as if it were this one."""
        first = self._terms.get(key)
        if first is None:  # placed before this process started: IB keeps only the key
            return
        terms = _terms(order)
        changed = sorted(
            name for name in first.keys() | terms.keys() if first.get(name) != terms.get(name)
        )
        if changed:
            verb = "differs" if len(changed) == 1 else "differ"
            raise IdempotencyConflict(
                f"client_order_id {key!r} already placed order {order_id} with other terms "
                f"({', '.join(changed)} {verb}); nothing new was sent. Use a new key for a new "
                "order, or repeat the first order exactly to get its state",
                field="client_order_id",
                order_id=order_id,
                fields=changed,
            )

    def _remember(self, key: str, order: OrderRequest) -> None:
        self._terms[key] = _terms(order)
        self._terms.move_to_end(key)
        while len(self._terms) > MAX_REMEMBERED_KEYS:
            self._terms.popitem(last=False)

    async def _place(self, order: OrderRequest) -> OrderResult:
        contract = await self._contracts.resolve(order.contract_query())
        result = await self._broker.place_order(contract, order)
        changes: dict[str, object] = {}
        if order.client_order_id:
            changes["client_order_id"] = order.client_order_id
        if order.ignored_fields_warnings:
            changes["warnings"] = order.ignored_fields_warnings
        return msgspec.structs.replace(result, **changes) if changes else result

    async def cancel(self, order_id: int) -> CancelResult:
        if not 1 <= order_id <= MAX_ORDER_ID:
            raise InvalidRequest(
                f"order_id must be an IB order id, 1 to {MAX_ORDER_ID}; got {order_id}",
                field="order_id",
            )
        return await self._broker.cancel_order(order_id)

    async def open_orders(self) -> list[OpenOrder]:
        orders = await self._broker.open_orders()
        return sorted(orders, key=lambda o: o.order_id)


def _terms(order: OrderRequest) -> dict[str, Any]:
    """What a retry must repeat: every field of the request but the key itself."""
    terms = msgspec.structs.asdict(order)
    terms.pop("client_order_id", None)
    return terms


def _merge_key(order: OrderRequest, header_key: str | None) -> OrderRequest:
    if not header_key:
        return order
    if order.client_order_id and order.client_order_id != header_key:
        raise InvalidRequest(
            "The Idempotency-Key header and client_order_id differ; send one, or the same value",
            field="client_order_id",
        )
    if not _KEY.fullmatch(header_key):
        raise InvalidRequest(
            "Idempotency-Key must be 1-40 characters of letters, digits and . _ : -",
            field="Idempotency-Key",
        )
    return msgspec.structs.replace(order, client_order_id=header_key)

"""Placing, cancelling and listing orders, with idempotency keys."""

from __future__ import annotations

import asyncio
import re
import weakref

import msgspec
import msgspec.structs

from application.ports import Broker
from application.services.contracts import ContractService
from domain.errors import InvalidRequest
from domain.orders import CancelResult, OpenOrder, OrderRequest, OrderResult

_KEY = re.compile(r"[A-Za-z0-9._:-]{1,40}")


class TradingService:
    def __init__(self, broker: Broker, contracts: ContractService) -> None:
        self._broker = broker
        self._contracts = contracts
        # One lock per idempotency key so that two concurrent retries cannot both place.
        self._key_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

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
                return msgspec.structs.replace(existing, duplicate=True, client_order_id=key)
            return await self._place(order)

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
        if order_id <= 0:
            raise InvalidRequest("order_id must be a positive integer", field="order_id")
        return await self._broker.cancel_order(order_id)

    async def open_orders(self) -> list[OpenOrder]:
        orders = await self._broker.open_orders()
        return sorted(orders, key=lambda o: o.order_id)


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

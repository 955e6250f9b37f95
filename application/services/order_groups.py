"""Placing a group of orders (a bracket, an OCA group) once per idempotency key.

The group is one entry of the order journal: its key (the first order's ``orderRef``; the
others carry keys derived from it) is claimed before anything is sent, with the terms of the
whole group, so that a retry — from this process or another sharing the journal — answers the
group already placed and never sends a second one.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
import weakref
from datetime import timedelta
from typing import Any

import msgspec

from application.group_ports import OrderGroupBroker
from application.ports import Broker, Clock, OrderJournal
from application.services.trading import BUSY_WAIT, PENDING_TIMEOUT, _conflict, _decide
from domain.brackets import GroupLeg
from domain.contract import Contract
from domain.errors import (
    DomainError,
    IdempotencyInProgress,
    InvalidRequest,
    JournalUnavailable,
    NotConnected,
    OrderRejected,
)
from domain.journal import JournalRecord
from domain.orders import OrderResult

_POLL = 0.05
Legs = list[tuple[Contract, GroupLeg]]


class GroupTrading:
    """Sends order groups; ``place`` answers (results in leg order, whether a duplicate)."""

    def __init__(
        self,
        broker: Broker,
        groups: OrderGroupBroker,
        journal: OrderJournal,
        clock: Clock,
        *,
        pending_timeout: float = PENDING_TIMEOUT,
        busy_wait: float = BUSY_WAIT,
    ) -> None:
        self._broker = broker
        self._groups = groups
        self._journal = journal
        self._clock = clock
        self._owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}:groups"
        self._pending_timeout = pending_timeout
        self._busy_wait = busy_wait
        self._locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    async def place(
        self, legs: Legs, account: str, key: str | None, terms: dict[str, Any]
    ) -> tuple[list[OrderResult], bool]:
        """The group's orders as IB acknowledged them, and True when a retry found them."""
        if key is None:
            return await self._groups.place_group(legs), False
        lock = self._locks.get((account, key))
        if lock is None:
            lock = self._locks[(account, key)] = asyncio.Lock()
        async with lock:
            return await self._once(legs, account, key, terms)

    async def already_placed(self, account: str, key: str | None) -> bool:
        """True when this key has already placed its group (a retry, not a new group)."""
        if key is None:
            return False
        record = await self._journal.get(account, key)
        if record is not None:
            return record.state == "sent"
        return await self._broker.find_order(key) is not None

    async def _once(
        self, legs: Legs, account: str, key: str, terms: dict[str, Any]
    ) -> tuple[list[OrderResult], bool]:
        give_up = self._clock.monotonic() + self._busy_wait
        looked_up: int | None = None
        while True:
            claim = await self._claim(account, key, terms, looked_up)
            record: JournalRecord = claim.record
            if claim.verdict == "conflict":
                raise _conflict(key, record, list(claim.changed))
            if claim.verdict == "recorded":
                return await self._recorded(record, legs), True
            if claim.verdict == "send":
                return await self._first_send(record, legs)
            if claim.verdict == "busy":
                if self._clock.monotonic() >= give_up:
                    raise IdempotencyInProgress(
                        f"Another request is placing the orders of client_order_id {key!r} "
                        "right now; retry in a few seconds to get its result",
                        retry_after=2,
                    )
                await self._clock.sleep(_POLL)
                continue
            found = await self._found(legs)  # "check": a claim that ended without an answer
            if found is not None:
                await self._mark(record, found)
                return found, True
            looked_up = record.attempt

    async def _claim(
        self, account: str, key: str, terms: dict[str, Any], looked_up: int | None
    ) -> Any:
        now = self._clock.now()
        stale = now - timedelta(seconds=self._pending_timeout)
        seen: list[Any] = []

        def decide(existing: JournalRecord | None) -> JournalRecord | None:
            seen.clear()
            claim = _decide(existing, account, key, terms, self._owner, now, stale, looked_up)
            seen.append(claim)
            return claim.record if claim.verdict == "send" else None

        await self._journal.claim(account, key, decide)
        return seen[-1]

    async def _found(self, legs: Legs) -> list[OrderResult] | None:
        """The group's orders at IB by their keys, or None when IB has none of them.

        A group IB has only part of (the connection dropped between its orders, or IB refused
        one and the others are being withdrawn) is never answered as the group: what of it
        still works is cancelled and the caller told, with each order's state."""
        found = [await self._broker.find_order(_key(leg)) for _, leg in legs]
        if all(result is None for result in found):
            return None
        results = [
            result or OrderResult(order_id=0, status="Unknown", error_message="not found at IB")
            for result in found
        ]
        if any(result is None for result in found) and not _withdrawn(results):
            await self._cancel_partial(results)
        return results

    async def _cancel_partial(self, results: list[OrderResult]) -> None:
        working = [r for r in results if r.order_id and not r.is_final]
        for result in working:
            with contextlib.suppress(DomainError):  # cancelled or filled meanwhile: told below
                await self._broker.cancel_order(result.order_id)
        states = ", ".join(
            f"order {r.order_id} {r.status} (filled {r.filled_quantity:g})" if r.order_id
            else "one order never placed" for r in results
        )  # fmt: skip
        raise OrderRejected(
            f"Only part of this group reached IB ({states}); the working part was cancelled "
            "rather than left without its other orders. Check positions, then place the group "
            "again with a new client_order_id",
            orders=[msgspec.to_builtins(r) for r in results],
        )

    async def _first_send(
        self, record: JournalRecord, legs: Legs
    ) -> tuple[list[OrderResult], bool]:
        try:
            found = await self._found(legs)
        except DomainError:
            await self._save_quietly(msgspec.structs.replace(record, state="failed"))
            raise
        # An earlier attempt that IB refused left its legs cancelled (withdrawn): not a group.
        if found is not None and not (record.attempt > 1 and _withdrawn(found)):
            await self._mark(record, found)
            return found, True
        try:
            results = await self._groups.place_group(legs)
        except (OrderRejected, InvalidRequest) as exc:
            failed = msgspec.structs.replace(record, state="failed", status=exc.code)
            await self._save_quietly(failed)
            raise
        except NotConnected as exc:
            sent = exc.details.get("order_id")
            state = "sent" if isinstance(sent, int) else "failed"
            await self._save_quietly(msgspec.structs.replace(record, state=state, order_id=sent))
            raise
        try:
            await self._mark(record, results)
        except JournalUnavailable as exc:
            raise JournalUnavailable(
                f"Orders {', '.join(str(r.order_id) for r in results)} were placed, but the "
                f"order journal could not record them ({exc.message}); a retry with the same "
                "key answers with these orders",
                order_id=results[0].order_id,
            ) from exc
        return results, False

    async def _recorded(self, record: JournalRecord, legs: Legs) -> list[OrderResult]:
        found = await self._found(legs)
        recorded = [
            msgspec.convert(item, OrderResult) for item in (record.result or {}).get("orders", [])
        ]
        if found is None:
            return recorded or [OrderResult(order_id=record.order_id or 0, status="Unknown")]
        if recorded and len(recorded) == len(found):
            found = [f if f.order_id else r for f, r in zip(found, recorded, strict=True)]
        return found

    async def _mark(self, record: JournalRecord, results: list[OrderResult]) -> None:
        answer = {"orders": msgspec.to_builtins(results)}
        await self._journal.save(
            msgspec.structs.replace(
                record,
                state="sent",
                order_id=results[0].order_id,
                status=results[0].status,
                result=answer,
                updated_at=self._clock.now(),
            )
        )

    async def _save_quietly(self, record: JournalRecord) -> None:
        record = msgspec.structs.replace(record, updated_at=self._clock.now())
        with contextlib.suppress(JournalUnavailable):
            await self._journal.save(record)


def _withdrawn(found: list[OrderResult]) -> bool:
    return all(r.status in ("Cancelled", "ApiCancelled", "Inactive", "Unknown")
               and not r.filled_quantity for r in found)  # fmt: skip


def _key(leg: GroupLeg) -> str:
    key = leg.order.client_order_id
    assert key is not None  # keyed groups key every leg
    return key

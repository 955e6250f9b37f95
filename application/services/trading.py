"""Placing, cancelling and listing orders, with idempotency keys kept in the order journal.

A key is claimed in the journal before its order is sent, so that no other request — in this
process or another one sharing the journal and the account — sends it too; the first order's
terms are kept with it, so that a reused key is compared even after a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
import socket
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import msgspec
import msgspec.structs
from msgspec import UNSET

from application.clock import SystemClock
from application.ports import Broker, Clock, OrderJournal
from application.services.contracts import ContractService
from application.services.order_journal import MemoryOrderJournal
from domain.errors import (
    DomainError,
    IdempotencyConflict,
    IdempotencyInProgress,
    InvalidRequest,
    JournalUnavailable,
    NotConnected,
    OrderNotFound,
    OrderRejected,
)
from domain.journal import JournalRecord, changed_terms
from domain.orders import MAX_ORDER_ID, CancelResult, OpenOrder, OrderRequest, OrderResult

_KEY = re.compile(r"[A-Za-z0-9._:-]{1,40}")
# A claim whose sender has not reported for this long is looked up at IB (its process may be
# gone): longer than any placement takes (acknowledgement timeout plus the look-ups before it).
PENDING_TIMEOUT = 60.0
# How long a request waits for another process that is placing the same key right now.
BUSY_WAIT = 15.0
_POLL = 0.05

Verdict = Literal["send", "recorded", "conflict", "busy", "check"]


@dataclass(frozen=True, slots=True)
class _Claim:
    verdict: Verdict
    record: JournalRecord
    changed: tuple[str, ...] = ()


class TradingService:
    def __init__(
        self,
        broker: Broker,
        contracts: ContractService,
        *,
        journal: OrderJournal | None = None,
        clock: Clock | None = None,
        owner: str | None = None,
        pending_timeout: float = PENDING_TIMEOUT,
        busy_wait: float = BUSY_WAIT,
    ) -> None:
        self._broker = broker
        self._contracts = contracts
        self._journal: OrderJournal = journal if journal is not None else MemoryOrderJournal()
        self._clock: Clock = clock or SystemClock()
        # Names this process in the journal: a pending claim of our own that no request of
        # ours holds any more ended without an answer, and is looked up at IB at once.
        self._owner = owner or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self._pending_timeout = pending_timeout
        self._busy_wait = busy_wait
        # One lock per key, so requests of this process queue here, not on the journal.
        self._key_locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    async def place(self, order: OrderRequest, idempotency_key: str | None = None) -> OrderResult:
        """Place an order once IB acknowledges it; a known idempotency key returns the first
        order, and the same key with other terms is refused (``IdempotencyConflict``)."""
        order = _merge_key(order, idempotency_key)
        account = await self._broker.order_account(order.account_id)  # a managed one, or none
        key = order.client_order_id
        if key is None:
            return await self._send(order)
        terms = _terms(order, account)
        lock = self._key_locks.get((account, key))
        if lock is None:
            lock = asyncio.Lock()
            self._key_locks[(account, key)] = lock
        async with lock:
            return await self._place_once(order, account, key, terms)

    async def already_placed(self, order: OrderRequest, idempotency_key: str | None) -> bool:
        """True when this order's key has already placed an order (a retry, not a new order)."""
        key = idempotency_key or order.client_order_id
        if key is None:
            return False
        account = await self._broker.order_account(order.account_id)
        record = await self._journal.get(account, key)
        if record is not None:
            return record.state == "sent"
        return await self._broker.find_order(key) is not None

    async def _place_once(
        self, order: OrderRequest, account: str, key: str, terms: dict[str, Any]
    ) -> OrderResult:
        give_up = self._clock.monotonic() + self._busy_wait
        looked_up: int | None = None  # the attempt we found missing at IB
        while True:
            claim = await self._claim(account, key, terms, looked_up)
            record = claim.record
            if claim.verdict == "conflict":
                raise _conflict(key, record, list(claim.changed))
            if claim.verdict == "recorded":
                return await self._recorded(record)
            if claim.verdict == "send":
                return await self._first_send(order, record)
            if claim.verdict == "busy":
                if self._clock.monotonic() >= give_up:
                    raise IdempotencyInProgress(
                        f"Another request is placing the order of client_order_id {key!r} "
                        "right now; retry in a few seconds to get its result",
                        retry_after=2,
                    )
                await self._clock.sleep(_POLL)
                continue
            # "check": a claim that ended without an answer; IB knows whether the order came.
            found = await self._broker.find_order(key)
            if found is not None:
                return await self._answer_found(record, found)
            looked_up = record.attempt

    async def _claim(
        self, account: str, key: str, terms: dict[str, Any], looked_up: int | None
    ) -> _Claim:
        now = self._clock.now()
        stale_before = now - timedelta(seconds=self._pending_timeout)
        outcome: list[_Claim] = []

        def decide(existing: JournalRecord | None) -> JournalRecord | None:
            outcome.clear()
            claim = _decide(existing, account, key, terms, self._owner, now, stale_before,
                            looked_up)  # fmt: skip
            outcome.append(claim)
            return claim.record if claim.verdict == "send" else None

        await self._journal.claim(account, key, decide)
        return outcome[-1]

    async def _first_send(self, order: OrderRequest, record: JournalRecord) -> OrderResult:
        # An order placed under this key without the journal (before it existed, or by another
        # program on the account) carries the key as its orderRef at IB.
        try:
            found = await self._broker.find_order(record.key)
            if found is not None:
                return await self._answer_found(record, found)
            contract = await self._contracts.resolve(order.contract_query())
        except DomainError:  # nothing was sent: free the key
            await self._save_quietly(_update(record, self._clock, state="failed"))
            raise
        try:
            result = await self._broker.place_order(contract, order)
        except (OrderRejected, InvalidRequest) as exc:
            # IB refused it (rejected, or failed its validation): nothing is working, and a
            # corrected order may use the key
            await self._save_quietly(_update(record, self._clock, state="failed", status=exc.code))
            raise
        except NotConnected as exc:
            sent = exc.details.get("order_id")
            if isinstance(sent, int):  # sent, then the connection dropped: IB may have it
                await self._save_quietly(_update(record, self._clock, state="sent", order_id=sent))
            else:  # nothing left this process
                await self._save_quietly(_update(record, self._clock, state="failed"))
            raise
        except DomainError as exc:
            sent = exc.details.get("order_id")
            if isinstance(sent, int):  # sent, no answer in time: IB may still take it
                await self._save_quietly(_update(record, self._clock, state="sent", order_id=sent))
            raise  # anything else leaves the claim pending: the next retry asks IB
        result = _with_extras(result, order)
        try:
            await self._mark_sent(record, result)
        except JournalUnavailable as exc:
            # The claim stays pending: the next retry finds the order at IB by its key.
            raise JournalUnavailable(
                f"Order {result.order_id} was placed, but the order journal could not record "
                f"it ({exc.message}); a retry with the same key answers with this order",
                order_id=result.order_id,
            ) from exc
        return result

    async def _save_quietly(self, record: JournalRecord) -> None:
        """Record an outcome while another error is on its way out: a journal that fails now
        must not hide that error. Unrecorded, the claim stays pending, and the next retry asks
        IB before anything is sent."""
        with contextlib.suppress(JournalUnavailable):
            await self._journal.save(record)

    async def _mark_sent(self, record: JournalRecord, result: OrderResult) -> None:
        """Record IB's order id, status and the answer given for it (without retry marks)."""
        answer = msgspec.to_builtins(msgspec.structs.replace(result, duplicate=UNSET))
        await self._journal.save(
            _update(
                record,
                self._clock,
                state="sent",
                order_id=result.order_id,
                status=result.status,
                result=answer,
            )
        )

    async def _recorded(self, record: JournalRecord) -> OrderResult:
        """The order the key placed, in its current state at IB (or as last recorded)."""
        found = await self._broker.find_order(record.key)
        if found is not None:
            return await self._answer_found(record, found)
        if record.result is not None:
            result = msgspec.convert(record.result, OrderResult)
        else:  # sent, but IB never answered, and it does not list the order now
            result = OrderResult(order_id=record.order_id or 0, status=record.status or "Unknown")
        return msgspec.structs.replace(result, duplicate=True, client_order_id=record.key)

    async def _answer_found(self, record: JournalRecord, found: OrderResult) -> OrderResult:
        result = msgspec.structs.replace(found, duplicate=True, client_order_id=record.key)
        if (record.state, record.order_id, record.status) != ("sent", found.order_id, found.status):
            # IB's answer stands even if the journal cannot take it now
            with contextlib.suppress(JournalUnavailable):
                await self._mark_sent(record, found)
        return result

    async def _send(self, order: OrderRequest) -> OrderResult:
        contract = await self._contracts.resolve(order.contract_query())
        result = await self._broker.place_order(contract, order)
        return _with_extras(result, order)

    async def cancel(self, order_id: int) -> CancelResult:
        if not 1 <= order_id <= MAX_ORDER_ID:
            raise InvalidRequest(
                f"order_id must be an IB order id, 1 to {MAX_ORDER_ID}; got {order_id}",
                field="order_id",
            )
        return await self._broker.cancel_order(order_id)

    async def order_status(self, order_id: int) -> OrderResult:
        """One order's current state at IB, by the id its placement answered."""
        found = await self._broker.order_status(order_id)
        if found is None:
            raise OrderNotFound(
                f"Order {order_id} is not known to this session: not placed by this client, or "
                "finished in an earlier session or so long ago that it is no longer kept (it may "
                "have filled: the audit trail and the account's positions say what happened)"
            )
        return found

    async def open_orders(self) -> list[OpenOrder]:
        orders = await self._broker.open_orders()
        return sorted(orders, key=lambda o: o.order_id)


def _decide(
    existing: JournalRecord | None,
    account: str,
    key: str,
    terms: dict[str, Any],
    owner: str,
    now: datetime,
    stale_before: datetime,
    looked_up: int | None,
) -> _Claim:
    """What to do with a key, given what the journal holds for it (pure; see ``_Claim``)."""
    if existing is None:
        fresh = JournalRecord(account=account, key=key, terms=terms, state="pending", owner=owner,
                              created_at=now, updated_at=now)  # fmt: skip
        return _Claim("send", fresh)
    if existing.state == "failed":  # nothing of it reached IB: the key is free again
        again = msgspec.structs.replace(existing, terms=terms, state="pending", owner=owner,
                                        attempt=existing.attempt + 1, updated_at=now)  # fmt: skip
        return _Claim("send", again)
    changed = changed_terms(existing.terms, terms)
    if changed:
        return _Claim("conflict", existing, tuple(changed))
    if existing.state == "sent":
        return _Claim("recorded", existing)
    ended = existing.owner == owner or existing.updated_at < stale_before
    if not ended:
        return _Claim("busy", existing)
    if looked_up != existing.attempt:
        return _Claim("check", existing)
    # Not at IB, and its sender is gone: this request sends it.
    again = msgspec.structs.replace(existing, state="pending", owner=owner,
                                    attempt=existing.attempt + 1, updated_at=now)  # fmt: skip
    return _Claim("send", again)


def _update(record: JournalRecord, clock: Clock, **changes: Any) -> JournalRecord:
    return msgspec.structs.replace(record, updated_at=clock.now(), **changes)


def sent_nothing(exc: DomainError) -> bool:
    """True when a placement failed before any of its orders left this process: refused by
    the journal, or the connection gone before sending (an error after sending names the
    order it sent, ``order_id``). Such a placement does not count against the order rate."""
    quiet = (IdempotencyConflict, IdempotencyInProgress, JournalUnavailable, NotConnected)
    return isinstance(exc, quiet) and "order_id" not in exc.details


def _conflict(key: str, record: JournalRecord, changed: list[str]) -> IdempotencyConflict:
    placed = f"order {record.order_id}" if record.order_id is not None else "an order"
    verb = "differs" if len(changed) == 1 else "differ"
    return IdempotencyConflict(
        f"client_order_id {key!r} already placed {placed} with other terms "
        f"({', '.join(changed)} {verb}); nothing new was sent. Use a new key for a new "
        "order, or repeat the first order exactly to get its state",
        field="client_order_id",
        order_id=record.order_id,
        fields=changed,
    )


def _with_extras(result: OrderResult, order: OrderRequest) -> OrderResult:
    changes: dict[str, object] = {}
    if order.client_order_id:
        changes["client_order_id"] = order.client_order_id
    if order.ignored_fields_warnings:
        changes["warnings"] = order.ignored_fields_warnings
    return msgspec.structs.replace(result, **changes) if changes else result


def _terms(order: OrderRequest, account: str) -> dict[str, Any]:
    """What a retry must repeat: every field of the request but the key, the account resolved."""
    terms: dict[str, Any] = msgspec.to_builtins(order)
    terms.pop("client_order_id", None)
    terms["account_id"] = account
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

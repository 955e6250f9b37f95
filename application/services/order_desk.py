"""The one door every order action goes through: policy, guardrails, previews, audit trail."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import msgspec

from application.ports import AuditLog, Broker, Clock
from application.redaction import Redactor
from application.services.audit_trail import append, audit_error
from application.services.contracts import ContractService
from application.services.guardrails import OrderGuard
from application.services.modify import planned_change, preview_hint
from application.services.previews import PreviewBook, token_ref
from application.services.trading import TradingService, sent_nothing
from domain.errors import (
    AuditUnavailable,
    DomainError,
    GuardrailViolation,
    InvalidConfirmation,
    InvalidRequest,
    PreviewRequired,
    ReadOnly,
)
from domain.order_change import OrderChange
from domain.orders import CancelResult, OrderRequest, OrderResult
from domain.safety import (
    AuditEntry,
    AuditError,
    Caller,
    OrderOperation,
    OrderPreview,
    TradingPolicy,
)

T = TypeVar("T")
MAX_AUDIT_ENTRIES = 1000
# This service's own refusals; the same errors from IB are failures of the action, not refusals.
_REFUSALS = (ReadOnly, GuardrailViolation, PreviewRequired, InvalidConfirmation)


@dataclass(slots=True)
class _Outcome:
    result: dict[str, Any] | None = None
    order_id: int | None = None
    checking: bool = True  # still in our own checks: nothing has gone to IB yet


Outcome = _Outcome  # what an audited action reports (see ``OrderDesk.audited``)


class OrderDesk:
    """Preview, place and cancel orders, each recorded in the audit trail before it answers."""

    def __init__(
        self,
        *,
        trading: TradingService,
        contracts: ContractService,
        broker: Broker,
        guard: OrderGuard,
        previews: PreviewBook,
        audit: AuditLog,
        policy: TradingPolicy,
        clock: Clock,
        secrets: Redactor | None = None,
    ) -> None:
        """``secrets`` (the service's redactor) refuses orders that carry a configured secret."""
        self._secrets = secrets
        self._trading = trading
        self._contracts = contracts
        self._broker = broker
        self._guard = guard
        self._previews = previews
        self._audit = audit
        self._policy = policy
        self._clock = clock

    async def preview(self, order: OrderRequest, caller: Caller) -> OrderPreview:
        """IB's what-if check (commission, margin) and a single-use token to place this order."""

        async def work(outcome: _Outcome) -> OrderPreview:
            contract = await self._contracts.resolve(order.contract_query())
            await self._guard.check(order, contract)
            await self._broker.order_account(order.account_id)  # one this session manages
            self._guard.take_preview_slot()
            outcome.checking = False
            what_if = await self._broker.what_if(contract, order)
            token, expires_at = self._previews.issue(order, contract)
            preview = OrderPreview(
                order=order,
                contract=contract,
                confirmation_token=token,
                expires_at=expires_at,
                **msgspec.structs.asdict(what_if),
            )
            result = msgspec.to_builtins(preview)
            result.pop("confirmation_token")
            outcome.result = result | {"confirmation_ref": token_ref(token)}
            return preview

        return await self._run(caller, "preview", {"order": msgspec.to_builtins(order)}, work)

    async def place(
        self,
        order: OrderRequest,
        caller: Caller,
        *,
        idempotency_key: str | None = None,
        confirmation_token: str | None = None,
    ) -> OrderResult:
        """Place the order once every rule allows it (and its preview token, when required)."""
        request: dict[str, Any] = {"order": msgspec.to_builtins(order)}
        if idempotency_key:
            request["idempotency_key"] = idempotency_key
        if confirmation_token:
            request["confirmation_ref"] = token_ref(confirmation_token)

        async def work(outcome: _Outcome) -> OrderResult:
            contract = await self._contracts.resolve(order.contract_query())
            await self._guard.check(order, contract)
            await self._check_preview(
                caller,
                confirmation_token,
                "Preview the order first (preview_order), then place the identical order "
                "with the confirmation_token it returns",
            )
            slot = self._guard.take_slot()
            try:
                # A retry of an order that was already placed returns that order; its
                # (already spent) token must not turn the retry into a refusal. (Asked only
                # with a token: the look-up may ask IB for every completed order.)
                if confirmation_token is not None and not await self._trading.already_placed(
                    order, idempotency_key
                ):
                    self._previews.redeem(confirmation_token, order, contract)
            except DomainError:
                self._guard.release(slot)
                raise
            outcome.checking = False
            try:
                result = await self._trading.place(order, idempotency_key)
            except DomainError as exc:
                if sent_nothing(exc):
                    self._guard.release(slot)
                raise
            if result.duplicate is True:
                self._guard.release(slot)  # nothing new went to IB
            outcome.result = msgspec.to_builtins(result)
            outcome.order_id = result.order_id
            return result

        return await self._run(caller, "place", request, work)

    async def modify(
        self,
        order_id: int,
        change: OrderChange,
        caller: Caller,
        *,
        confirmation_token: str | None = None,
    ) -> OrderResult:
        """New quantity, prices or time in force for a working order of this session; every
        rule (guardrails, previews) applies to the order as it stands after the change."""
        request: dict[str, Any] = {"order_id": order_id, "change": msgspec.to_builtins(change)}
        if confirmation_token:
            request["confirmation_ref"] = token_ref(confirmation_token)

        async def work(outcome: _Outcome) -> OrderResult:
            outcome.order_id = order_id
            self._guard.check_writable()
            order, contract = await planned_change(self._broker, self._contracts, order_id, change)
            await self._guard.check(order, contract)
            await self._check_preview(
                caller,
                confirmation_token,
                "Preview the order as it stands after the change (preview_order with "
                f"{preview_hint(order)}), then modify it with the confirmation_token it returns",
            )
            slot = self._guard.take_slot()
            try:
                if confirmation_token is not None:
                    self._previews.redeem(confirmation_token, order, contract)
            except DomainError:
                self._guard.release(slot)
                raise
            outcome.checking = False
            result = await self._broker.modify_order(order_id, contract, order)
            outcome.result = msgspec.to_builtins(result)
            return result

        return await self._run(caller, "modify", request, work)

    async def _check_preview(self, caller: Caller, token: str | None, how: str) -> None:
        if token is not None:
            return
        live = await self._guard.account_is_live()
        if self._policy.requires_preview(caller, live_account=live):
            raise PreviewRequired(how, rule="require_preview")

    async def cancel(self, order_id: int, caller: Caller) -> CancelResult:
        """Cancel a working order (allowed on live accounts too; refused when read-only)."""

        async def work(outcome: _Outcome) -> CancelResult:
            outcome.order_id = order_id
            self._guard.check_writable()
            outcome.checking = False
            result = await self._trading.cancel(order_id)
            outcome.result = msgspec.to_builtins(result)
            return result

        return await self._run(caller, "cancel", {"order_id": order_id}, work)

    async def recent_audit(self, limit: int = 100) -> list[AuditEntry]:
        """The latest audit entries, newest first."""
        if not 1 <= limit <= MAX_AUDIT_ENTRIES:
            raise InvalidRequest(f"limit must be 1-{MAX_AUDIT_ENTRIES}", field="limit")
        try:
            return await self._audit.recent(limit)
        except DomainError:
            raise
        except Exception as exc:
            raise AuditUnavailable(f"The audit trail cannot be read: {exc}") from exc

    async def audited(
        self,
        caller: Caller,
        operation: OrderOperation,
        request: dict[str, Any],
        work: Callable[[_Outcome], Awaitable[T]],
    ) -> T:
        """Run ``work`` as one order action of the audit trail (the desks of order groups,
        cancel-all and exercises use it): secrets refused, refusals and results recorded."""
        return await self._run(caller, operation, request, work)

    async def _run(
        self,
        caller: Caller,
        operation: OrderOperation,
        request: dict[str, Any],
        work: Callable[[_Outcome], Awaitable[T]],
    ) -> T:
        outcome = _Outcome()
        try:
            self._refuse_secrets(request)
            value = await work(outcome)
        except (Exception, asyncio.CancelledError) as exc:
            refused = outcome.checking and isinstance(exc, _REFUSALS)
            await self._record(
                caller, operation, request, outcome, audit_error(exc), refused=refused, cause=exc
            )
            raise
        await self._record(caller, operation, request, outcome)
        return value

    def _refuse_secrets(self, request: dict[str, Any]) -> None:
        """A token or password inside an order would travel to IB (as its orderRef, or as a
        symbol to look up) and come back in answers: refuse it before anything is sent."""
        if self._secrets is None:
            return
        fields = {**request.get("order", {}), **request}
        fields.pop("order", None)
        field = self._secrets.where(fields)
        if field is not None:
            field = "Idempotency-Key" if field == "idempotency_key" else field
            raise InvalidRequest(
                "This holds a secret configured in this service (a token or password); "
                "nothing was sent. Never put credentials into an order",
                field=field,
            )

    async def _record(
        self,
        caller: Caller,
        operation: OrderOperation,
        request: dict[str, Any],
        outcome: _Outcome,
        error: AuditError | None = None,
        *,
        refused: bool = False,
        cause: BaseException | None = None,
    ) -> None:
        entry = AuditEntry(
            time=self._clock.now(),
            caller=caller.name,
            transport=caller.transport,
            action="refusal" if refused else operation,
            operation=operation,
            request=request,
            result=outcome.result,
            error=error,
            order_id=outcome.order_id,
        )
        await append(self._audit, entry, cause)

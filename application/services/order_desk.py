"""The one door every order action goes through: policy, guardrails, previews, audit trail."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import msgspec

from application.ports import AuditLog, Broker, Clock
from application.redaction import Redactor
from application.services.contracts import ContractService
from application.services.guardrails import OrderGuard
from application.services.previews import PreviewBook, token_ref
from application.services.trading import TradingService
from domain.errors import (
    AuditUnavailable,
    DomainError,
    GuardrailViolation,
    IdempotencyConflict,
    InvalidConfirmation,
    InvalidRequest,
    PreviewRequired,
    ReadOnly,
)
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
            live = await self._guard.account_is_live()
            if confirmation_token is None and self._policy.requires_preview(
                caller, live_account=live
            ):
                raise PreviewRequired(
                    "Preview the order first (preview_order), then place the identical order "
                    "with the confirmation_token it returns",
                    rule="require_preview",
                )
            slot = self._guard.take_slot()
            try:
                # A retry of an order that was already placed returns that order; its
                # (already spent) token must not turn the retry into a refusal.
                retry = await self._trading.already_placed(order, idempotency_key)
                if confirmation_token is not None and not retry:
                    self._previews.redeem(confirmation_token, order, contract)
            except DomainError:
                self._guard.release(slot)
                raise
            outcome.checking = False
            try:
                result = await self._trading.place(order, idempotency_key)
            except IdempotencyConflict:
                self._guard.release(slot)  # nothing went to IB
                raise
            if result.duplicate is True:
                self._guard.release(slot)  # nothing new went to IB
            outcome.result = msgspec.to_builtins(result)
            outcome.order_id = result.order_id
            return result

        return await self._run(caller, "place", request, work)

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
            if isinstance(exc, DomainError):
                rule = exc.details.get("rule")
                error = AuditError(
                    code=exc.code, message=exc.message, rule=rule if isinstance(rule, str) else None
                )
            elif isinstance(exc, asyncio.CancelledError):
                error = AuditError(code="cancelled", message="The request was cancelled")
            else:
                error = AuditError(code="internal_error", message=f"{type(exc).__name__}: {exc}")
            await self._record(
                caller, operation, request, outcome, error=error, refused=refused, cause=exc
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
        *,
        error: AuditError | None = None,
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
        try:
            await self._audit.append(entry)
        except Exception as exc:
            if outcome.order_id is not None and operation == "place" and error is None:
                message = (
                    f"Order {outcome.order_id} was placed, but the audit trail could not be "
                    f"written: {exc}"
                )
            else:
                message = f"The audit trail could not be written: {exc}"
            raise AuditUnavailable(message, order_id=outcome.order_id) from (cause or exc)

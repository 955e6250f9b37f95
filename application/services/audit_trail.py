"""Writing the order desk's audit entries: what an error becomes, and a trail that fails."""

from __future__ import annotations

import asyncio

from application.ports import AuditLog
from domain.errors import AuditUnavailable, DomainError
from domain.safety import AuditEntry, AuditError

_DONE = {"place": "placed", "modify": "modified"}


def audit_error(exc: BaseException) -> AuditError:
    """How the trail records the error an order action ended with."""
    if isinstance(exc, DomainError):
        rule = exc.details.get("rule")
        return AuditError(
            code=exc.code, message=exc.message, rule=rule if isinstance(rule, str) else None
        )
    if isinstance(exc, asyncio.CancelledError):
        return AuditError(code="cancelled", message="The request was cancelled")
    return AuditError(code="internal_error", message=f"{type(exc).__name__}: {exc}")


async def append(audit: AuditLog, entry: AuditEntry, cause: BaseException | None) -> None:
    """Append the entry, or raise ``AuditUnavailable`` saying what was done all the same."""
    try:
        await audit.append(entry)
    except Exception as exc:
        done = _DONE.get(entry.operation)
        if entry.order_id is not None and done and entry.error is None:
            message = (
                f"Order {entry.order_id} was {done}, but the audit trail could not be written: "
                f"{exc}"
            )
        else:
            message = f"The audit trail could not be written: {exc}"
        raise AuditUnavailable(message, order_id=entry.order_id) from (cause or exc)

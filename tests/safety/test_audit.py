"""One audit line per order action, refusals included, on disk before the caller hears back."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import msgspec
import pytest

import adapters.audit.jsonl as jsonl
from adapters.audit.jsonl import JsonlAuditLog
from domain.errors import AuditUnavailable, GuardrailViolation, NotConnected, OrderNotFound
from domain.orders import OrderRequest
from domain.safety import AuditEntry, TradingPolicy
from tests.fakes import FakeBroker, FakeClock, InMemoryAuditLog
from tests.safety.conftest import AGENT, REST, DeskFactory, audit_lines

LIMIT = OrderRequest(action="BUY", symbol="AAPL", quantity=10, order_type="LMT", limit_price=190.0)


async def test_every_action_appends_exactly_one_line_before_it_answers(
    make_desk: DeskFactory, broker: FakeBroker, audit_path: Path
) -> None:
    desk = make_desk(TradingPolicy(max_order_quantity=100))

    preview = await desk.preview(LIMIT, AGENT)
    assert [e.action for e in audit_lines(audit_path)] == ["preview"]

    placed = await desk.place(LIMIT, AGENT, confirmation_token=preview.confirmation_token)
    assert [e.action for e in audit_lines(audit_path)][-1] == "place"

    with pytest.raises(GuardrailViolation):
        await desk.place(msgspec.structs.replace(LIMIT, quantity=500), REST)
    assert len(audit_lines(audit_path)) == 3

    await desk.cancel(placed.order_id, REST)
    entries = audit_lines(audit_path)
    assert [(e.action, e.caller, e.transport) for e in entries] == [
        ("preview", "claude", "mcp"),
        ("place", "claude", "mcp"),
        ("refusal", "ops", "rest"),
        ("cancel", "ops", "rest"),
    ]
    assert entries[1].order_id == entries[3].order_id == placed.order_id
    assert entries[1].result is not None and entries[1].result["status"] == "Submitted"
    assert entries[3].result is not None and entries[3].result["status"] == "Cancelled"
    assert entries[2].error is not None and "500" in entries[2].error.message


async def test_the_confirmation_token_never_reaches_the_audit_file(
    make_desk: DeskFactory, audit_path: Path
) -> None:
    desk = make_desk()
    token = (await desk.preview(LIMIT, AGENT)).confirmation_token
    await desk.place(LIMIT, AGENT, confirmation_token=token)
    assert token not in audit_path.read_bytes().decode()  # noqa: ASYNC240
    preview, place = audit_lines(audit_path)
    assert preview.result is not None and place.request["confirmation_ref"]
    assert preview.result["confirmation_ref"] == place.request["confirmation_ref"]


async def test_broker_errors_are_audited_as_the_action_not_as_refusals(
    make_desk: DeskFactory, broker: FakeBroker, audit_path: Path
) -> None:
    desk = make_desk()
    broker.fail("place_order", NotConnected())
    with pytest.raises(NotConnected):
        await desk.place(LIMIT, REST, idempotency_key="k-1")
    with pytest.raises(OrderNotFound):
        await desk.cancel(4242, REST)
    place, cancel = audit_lines(audit_path)
    assert (place.action, place.error and place.error.code) == ("place", "not_connected")
    assert place.request["idempotency_key"] == "k-1"
    assert (cancel.action, cancel.order_id) == ("cancel", 4242)
    assert cancel.error is not None and cancel.error.code == "order_not_found"


async def test_unexpected_errors_are_audited_and_re_raised(
    make_desk: DeskFactory, broker: FakeBroker, audit_path: Path
) -> None:
    broker.fail("place_order", RuntimeError("boom"))
    with pytest.raises(RuntimeError, match="boom"):
        await make_desk().place(LIMIT, REST)
    [entry] = audit_lines(audit_path)
    assert entry.error is not None and entry.error.code == "internal_error"


async def test_a_failed_audit_write_is_reported_with_the_order_that_was_placed(
    make_desk: DeskFactory,
) -> None:
    audit = InMemoryAuditLog()
    audit.fail("append", OSError(28, "No space left on device"))
    with pytest.raises(AuditUnavailable, match="was placed") as caught:
        await make_desk(audit=audit).place(LIMIT, REST)
    assert caught.value.details["order_id"] == 1


async def test_recent_returns_newest_first_and_is_bounded(
    make_desk: DeskFactory, audit_path: Path
) -> None:
    desk = make_desk()
    for quantity in (1, 2, 3):
        await desk.place(msgspec.structs.replace(LIMIT, quantity=quantity), REST)
    recent = await desk.recent_audit(2)
    assert [e.request["order"]["quantity"] for e in recent] == [3, 2]
    with pytest.raises(Exception, match="limit must be"):
        await desk.recent_audit(0)


async def test_audit_file_is_private(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "new" / "audit.jsonl"
    log = JsonlAuditLog(path)
    await log.append(_entry(clock, 1))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    os.chmod(path, 0o644)
    await log.append(_entry(clock, 2))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


async def test_recent_reads_the_tail_across_chunks_and_skips_torn_lines(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jsonl, "_CHUNK", 97)  # far shorter than one line
    log = JsonlAuditLog(tmp_path / "audit.jsonl")
    assert await log.recent(5) == []
    for order_id in range(1, 31):
        await log.append(_entry(clock, order_id))
    with (tmp_path / "audit.jsonl").open("ab") as handle:
        handle.write(b'{"time": "2025-10')  # a crash mid-write
    assert [e.order_id for e in await log.recent(3)] == [30, 29, 28]
    await log.append(_entry(clock, 31))  # starts a fresh line after the torn one
    assert [e.order_id for e in await log.recent(2)] == [31, 30]
    assert [e.order_id for e in await log.recent(100)] == list(range(31, 0, -1))


def _entry(clock: FakeClock, order_id: int) -> AuditEntry:
    return AuditEntry(
        time=clock.now(),
        caller="ops",
        transport="rest",
        action="cancel",
        operation="cancel",
        request={"order_id": order_id, "note": "line\nbreak"},
        order_id=order_id,
    )

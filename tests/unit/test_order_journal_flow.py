"""How the trading service uses the journal when a placement ends without a clean answer.

The rule under test: a key is sent again only when the journal knows nothing of it reached IB,
or IB itself does not list it; otherwise the retry answers with the order the key placed.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import msgspec
import pytest

from application.services.contracts import ContractService
from application.services.order_journal import MemoryOrderJournal
from application.services.trading import TradingService
from domain.contract import Contract
from domain.errors import IdempotencyInProgress, JournalUnavailable, NotConnected, OrderRejected
from domain.journal import JournalRecord
from domain.orders import OrderRequest, OrderResult
from tests import contract_examples as ex
from tests.fakes import FakeBroker, FakeClock, FakeGateway

ORDER = OrderRequest(action="BUY", quantity=10, order_type="LMT", limit_price=150.25,
                     contract_id=12345678)  # fmt: skip


class ScriptedBroker(FakeBroker):
    """Raises the next scripted errors from place_order, after (or instead of) placing."""

    def __init__(self) -> None:
        super().__init__()
        self.script: list[tuple[str, BaseException]] = []  # ("before"|"after", error)

    async def place_order(self, contract: Contract, request: OrderRequest) -> OrderResult:
        if self.script:
            when, error = self.script.pop(0)
            if when == "before":
                self._record("place_order", contract, request)
                raise error
            result = await super().place_order(contract, request)
            if isinstance(error, NotConnected):
                error.details["order_id"] = result.order_id
            raise error
        return await super().place_order(contract, request)


@pytest.fixture
def broker() -> ScriptedBroker:
    fake = ScriptedBroker()
    ex.seed(fake, FakeGateway())
    return fake


def trading(broker: FakeBroker, journal: MemoryOrderJournal, clock: FakeClock, **kw: object):
    return TradingService(broker, ContractService(broker), journal=journal, clock=clock, **kw)  # type: ignore[arg-type]


async def sent_orders(broker: FakeBroker, key: str) -> int:
    return sum(1 for _, r in broker.order_requests.values() if r.client_order_id == key)


async def test_nothing_sent_frees_the_key_for_the_retry(broker: ScriptedBroker, clock) -> None:
    journal = MemoryOrderJournal()
    service = trading(broker, journal, clock)
    broker.script.append(("before", NotConnected("down")))
    with pytest.raises(NotConnected):
        await service.place(ORDER, "k")
    assert (await journal.get("DU1234567", "k")).state == "failed"  # type: ignore[union-attr]
    placed = await service.place(ORDER, "k")
    assert placed.duplicate is not True and await sent_orders(broker, "k") == 1
    record = await journal.get("DU1234567", "k")
    assert record is not None and (record.state, record.order_id, record.attempt) == (
        "sent", placed.order_id, 2)  # fmt: skip


async def test_an_ib_rejection_frees_the_key(broker: ScriptedBroker, clock) -> None:
    journal = MemoryOrderJournal()
    service = trading(broker, journal, clock)
    broker.script.append(("before", OrderRejected("201: margin", ib_code=201)))
    with pytest.raises(OrderRejected):
        await service.place(ORDER, "k")
    corrected = msgspec.structs.replace(ORDER, quantity=1)
    placed = await service.place(corrected, "k")  # a corrected order may use the key
    assert placed.duplicate is not True


async def test_a_drop_after_sending_is_never_sent_again(broker: ScriptedBroker, clock) -> None:
    journal = MemoryOrderJournal()
    service = trading(broker, journal, clock)
    broker.script.append(("after", NotConnected("dropped")))
    with pytest.raises(NotConnected):
        await service.place(ORDER, "k")
    record = await journal.get("DU1234567", "k")
    assert record is not None and record.state == "sent" and record.order_id is not None
    retry = await service.place(ORDER, "k")
    assert retry.duplicate is True and retry.order_id == record.order_id
    assert await sent_orders(broker, "k") == 1


async def test_a_cancelled_request_leaves_a_claim_the_retry_checks_at_ib(
    broker: ScriptedBroker, clock
) -> None:
    """The caller went away while IB was being asked: the retry looks at IB before sending."""
    journal = MemoryOrderJournal()
    service = trading(broker, journal, clock)
    broker.script.append(("after", asyncio.CancelledError()))
    with pytest.raises(asyncio.CancelledError):
        await service.place(ORDER, "k")
    assert (await journal.get("DU1234567", "k")).state == "pending"  # type: ignore[union-attr]
    retry = await service.place(ORDER, "k")
    assert retry.duplicate is True and await sent_orders(broker, "k") == 1


def foreign_claim(clock: FakeClock, age: float) -> JournalRecord:
    at = clock.now() - timedelta(seconds=age)
    terms = msgspec.to_builtins(ORDER) | {"account_id": "DU1234567"}
    terms.pop("client_order_id")
    return JournalRecord(account="DU1234567", key="k", terms=terms, state="pending",
                         owner="other-host:1:ab", created_at=at, updated_at=at)  # fmt: skip


async def test_a_key_another_process_is_placing_waits_then_says_so(broker, clock) -> None:
    journal = MemoryOrderJournal()
    await journal.claim("DU1234567", "k", lambda _: foreign_claim(clock, age=1))
    service = trading(broker, journal, clock, busy_wait=2.0)
    with pytest.raises(IdempotencyInProgress) as caught:
        await service.place(ORDER, "k")
    assert caught.value.retry_after == 2 and sum(clock.sleeps) >= 2.0
    assert broker.called("place_order") == []


async def test_the_other_process_finishing_answers_the_waiting_request(broker, clock) -> None:
    journal = MemoryOrderJournal()
    await journal.claim("DU1234567", "k", lambda _: foreign_claim(clock, age=1))
    other = trading(broker, MemoryOrderJournal(), clock)
    first = await other.place(ORDER, "k")  # what the other process sent meanwhile ...
    claimed = await journal.get("DU1234567", "k")
    assert claimed is not None
    await journal.save(msgspec.structs.replace(claimed, state="sent", order_id=first.order_id))
    again = await trading(broker, journal, clock).place(ORDER, "k")  # ... is the answer
    assert again.duplicate is True and again.order_id == first.order_id
    assert await sent_orders(broker, "k") == 1


async def test_a_stale_claim_is_looked_up_at_ib_then_sent_once(broker, clock) -> None:
    """Its process died; IB does not list the order: this request sends it, once."""
    journal = MemoryOrderJournal()
    await journal.claim("DU1234567", "k", lambda _: foreign_claim(clock, age=600))
    placed = await trading(broker, journal, clock).place(ORDER, "k")
    assert placed.duplicate is not True and await sent_orders(broker, "k") == 1
    assert broker.called("find_order").count(("k",)) >= 1
    record = await journal.get("DU1234567", "k")
    assert record is not None and (record.state, record.attempt) == ("sent", 2)


async def test_a_stale_claim_whose_order_reached_ib_is_answered_not_sent(broker, clock) -> None:
    journal = MemoryOrderJournal()
    at_ib = await trading(broker, MemoryOrderJournal(), clock).place(ORDER, "k")
    await journal.claim("DU1234567", "k", lambda _: foreign_claim(clock, age=600))
    again = await trading(broker, journal, clock).place(ORDER, "k")
    assert again.duplicate is True and again.order_id == at_ib.order_id
    assert await sent_orders(broker, "k") == 1


async def test_an_order_ib_no_longer_lists_is_answered_from_the_journal(broker, clock) -> None:
    """After a restart of both the service and the gateway, the journal still has the answer."""
    journal = MemoryOrderJournal()
    placed = await trading(broker, journal, clock).place(ORDER, "k")
    broker.orders.clear()
    broker.order_requests.clear()
    again = await trading(broker, journal, clock).place(ORDER, "k")
    assert (again.duplicate, again.order_id, again.status) == (True, placed.order_id, placed.status)
    assert broker.called("place_order").__len__() == 1


async def test_an_account_the_session_does_not_manage_is_refused(broker, clock) -> None:
    from domain.errors import UnknownAccount

    service = trading(broker, MemoryOrderJournal(), clock)
    with pytest.raises(UnknownAccount) as caught:
        await service.place(msgspec.structs.replace(ORDER, account_id="U9999999"), "k")
    assert caught.value.accepted == ["DU1234567"] and broker.called("place_order") == []


class FlakyJournal(MemoryOrderJournal):
    """The durable journal's failure, on demand: its store is down or locked."""

    def __init__(self) -> None:
        super().__init__()
        self.down: set[str] = set()  # of "claim", "save"

    async def claim(self, account, key, decide):  # type: ignore[no-untyped-def]
        if "claim" in self.down:
            raise JournalUnavailable("the order journal failed: database is locked")
        await super().claim(account, key, decide)

    async def save(self, record: JournalRecord) -> bool:
        if "save" in self.down:
            raise JournalUnavailable("the order journal failed: disk I/O error")
        return await super().save(record)


async def test_a_journal_that_cannot_claim_sends_nothing(broker, clock) -> None:
    journal = FlakyJournal()
    journal.down.add("claim")
    with pytest.raises(JournalUnavailable) as caught:
        await trading(broker, journal, clock).place(ORDER, "k")
    assert "order_id" not in caught.value.details and broker.called("place_order") == []


async def test_an_order_placed_while_the_journal_fails_is_said_and_never_doubled(
    broker, clock
) -> None:
    journal = FlakyJournal()
    service = trading(broker, journal, clock)
    journal.down.add("save")
    with pytest.raises(JournalUnavailable) as caught:
        await service.place(ORDER, "k")
    placed = caught.value.details["order_id"]
    assert f"Order {placed} was placed" in caught.value.message
    journal.down.clear()
    retry = await service.place(ORDER, "k")  # the claim stayed pending: IB is asked first
    assert retry.duplicate is True and retry.order_id == placed
    assert await sent_orders(broker, "k") == 1


async def test_a_journal_failing_while_ib_refuses_keeps_ibs_error(broker, clock) -> None:
    journal = FlakyJournal()
    service = trading(broker, journal, clock)
    broker.script.append(("before", OrderRejected("201: margin", ib_code=201)))
    journal.down.add("save")
    with pytest.raises(OrderRejected):
        await service.place(ORDER, "k")

"""Placing orders once (idempotency keys), saying what IB ignores, cancelling, listing."""

from __future__ import annotations

import asyncio

import msgspec
import pytest

from application.container import Services, build_services
from application.services.order_journal import MemoryOrderJournal
from domain.contract import Contract
from domain.errors import AmbiguousContract, IdempotencyConflict, InvalidRequest, OrderNotFound
from domain.orders import OrderRequest, OrderResult
from tests import contract_examples as ex
from tests.factories import OrderRequestFactory
from tests.fakes import FakeBroker, FakeClock, FakeGateway


def order(**fields: object) -> OrderRequest:
    base = {
        "contract_id": 12345678,
        "action": "BUY",
        "quantity": 10,
        "order_type": "LMT",
        "limit_price": 150.25,
    }
    return msgspec.convert({**base, **fields}, OrderRequest)


class SlowBroker(FakeBroker):
    """Yields to the event loop while placing, as a real broker waits for IB's answer."""

    async def place_order(self, contract: Contract, request: OrderRequest) -> OrderResult:
        for _ in range(3):
            await asyncio.sleep(0)
        return await super().place_order(contract, request)


async def test_same_key_returns_the_first_order_and_places_once(
    services: Services, broker: FakeBroker
) -> None:
    first = await services.trading.place(order(), "retry-1")
    again = await services.trading.place(order(), "retry-1")
    assert again.order_id == first.order_id
    assert (first.client_order_id, again.client_order_id) == ("retry-1", "retry-1")
    assert not isinstance(first.duplicate, bool) and again.duplicate is True
    assert len(broker.called("place_order")) == 1


async def test_body_key_works_like_the_header(services: Services, broker: FakeBroker) -> None:
    first = await services.trading.place(order(client_order_id="k-1"))
    again = await services.trading.place(order(), "k-1")
    assert again.order_id == first.order_id and len(broker.called("place_order")) == 1


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"quantity": 100}, ["quantity"]),
        ({"limit_price": 151.0}, ["limit_price"]),
        ({"action": "SELL", "quantity": 5}, ["action", "quantity"]),
        ({"contract_id": 87654321}, ["contract_id"]),
    ],
)
async def test_a_key_reused_for_a_different_order_is_refused_not_answered_with_the_first(
    services: Services, broker: FakeBroker, change: dict[str, object], named: list[str]
) -> None:
    first = await services.trading.place(order(), "k-2")
    with pytest.raises(IdempotencyConflict) as caught:
        await services.trading.place(order(**change), "k-2")
    assert caught.value.details["fields"] == named
    assert caught.value.details["order_id"] == first.order_id
    assert len(broker.called("place_order")) == 1  # nothing new was sent
    again = await services.trading.place(order(), "k-2")  # the exact retry still works
    assert again.duplicate is True and again.order_id == first.order_id


async def test_a_key_reused_after_a_restart_is_compared_from_the_journal(
    broker: FakeBroker,
) -> None:
    """Issue 12, defect 3: BUY 1 with key K, restart, then SELL 7 of another contract with K."""
    ex.seed(broker, FakeGateway())
    journal = MemoryOrderJournal()  # stands for the durable one: it outlives the process
    before = build_services(broker, FakeGateway(), FakeClock(), journal=journal)
    placed = await before.trading.place(order(quantity=1), "k-3")
    after = build_services(broker, FakeGateway(), FakeClock(), journal=journal)  # the restart
    with pytest.raises(IdempotencyConflict) as caught:
        await after.trading.place(
            order(action="SELL", quantity=7, contract_id=87654321, order_type="MKT",
                  limit_price=None), "k-3")  # fmt: skip
    assert caught.value.details["order_id"] == placed.order_id
    assert caught.value.details["fields"] == [
        "action",
        "contract_id",
        "limit_price",
        "order_type",
        "quantity",
    ]
    again = await after.trading.place(order(quantity=1), "k-3")
    assert again.duplicate is True and again.order_id == placed.order_id
    assert len(broker.called("place_order")) == 1


async def test_a_key_placed_outside_the_journal_is_found_at_ib_by_its_order_ref(
    services: Services, broker: FakeBroker
) -> None:
    """An order placed before the journal existed (or by another program) is not placed again."""
    placed = await services.trading.place(order(), "k-4")
    fresh = build_services(broker, FakeGateway(), FakeClock())  # an empty journal
    again = await fresh.trading.place(order(), "k-4")
    assert again.duplicate is True and again.order_id == placed.order_id
    assert len(broker.called("place_order")) == 1


async def test_different_keys_place_twice(services: Services, broker: FakeBroker) -> None:
    a = await services.trading.place(order(), "a")
    b = await services.trading.place(order(), "b")
    assert a.order_id != b.order_id and len(broker.called("place_order")) == 2


async def test_concurrent_identical_keys_place_once() -> None:
    broker, gateway = SlowBroker(), FakeGateway()
    ex.seed(broker, gateway)
    trading = build_services(broker, gateway, FakeClock()).trading
    results = await asyncio.gather(*(trading.place(order(), "same") for _ in range(5)))
    assert len({r.order_id for r in results}) == 1
    assert len(broker.called("place_order")) == 1
    assert sum(r.duplicate is True for r in results) == 4


async def test_header_and_body_keys_must_agree(services: Services, broker: FakeBroker) -> None:
    with pytest.raises(InvalidRequest) as caught:
        await services.trading.place(order(client_order_id="body"), "header")
    assert caught.value.field == "client_order_id"
    assert broker.called("place_order") == []


async def test_header_key_must_be_short_and_plain(services: Services) -> None:
    with pytest.raises(InvalidRequest, match="1-40 characters"):
        await services.trading.place(order(), "x" * 41)


async def test_tif_on_a_day_order_is_reported_not_dropped(
    services: Services, broker: FakeBroker
) -> None:
    result = await services.trading.place(order(tif="20241231 23:59:59"))
    assert result.warnings == [
        "tif/good_till_date is applied only to GTD orders; this DAY order ignores it"
    ]
    [(_, sent)] = broker.called("place_order")
    assert sent.effective_good_till == ""


async def test_gtd_order_uses_tif_without_warning(services: Services, broker: FakeBroker) -> None:
    result = await services.trading.place(order(time_in_force="GTD", tif="20301231 23:59:59"))
    assert not isinstance(result.warnings, list)
    [(_, sent)] = broker.called("place_order")
    assert sent.effective_good_till == "20301231 23:59:59"


async def test_order_by_ambiguous_symbol_is_not_sent(
    services: Services, broker: FakeBroker
) -> None:
    with pytest.raises(AmbiguousContract):
        await services.trading.place(order(contract_id=None, symbol="CCJ"))
    assert broker.called("place_order") == []


async def test_order_by_symbol_resolves_with_stock_defaults(
    services: Services, broker: FakeBroker
) -> None:
    await services.trading.place(order(contract_id=None, symbol="CCJ", currency="EUR"))
    [(contract, _)] = broker.called("place_order")
    assert contract.con_id == 81540716


async def test_random_valid_orders_reach_the_broker_unchanged(
    services: Services, broker: FakeBroker
) -> None:
    requests = OrderRequestFactory.batch(5)
    for request in requests:
        broker.contracts.append(Contract(sec_type="STK", con_id=request.contract_id, symbol="X"))
        result = await services.trading.place(request)
        assert (result.status, result.remaining_quantity) == ("Submitted", request.quantity)
    assert [sent for _, sent in broker.called("place_order")] == requests


async def test_cancel(services: Services) -> None:
    placed = await services.trading.place(order())
    cancelled = await services.trading.cancel(placed.order_id)
    assert (cancelled.order_id, cancelled.status) == (placed.order_id, "Cancelled")
    assert await services.trading.open_orders() == []


async def test_cancel_unknown_and_invalid_ids(services: Services, broker: FakeBroker) -> None:
    with pytest.raises(OrderNotFound):
        await services.trading.cancel(5)
    with pytest.raises(InvalidRequest):
        await services.trading.cancel(0)
    # 2**31 - 1 is ib_async's "unset": IB would never answer a cancel of it (a 10 s wait, 504).
    with pytest.raises(InvalidRequest) as caught:
        await services.trading.cancel(2**31 - 1)
    assert caught.value.field == "order_id" and "2147483646" in caught.value.message
    with pytest.raises(OrderNotFound):
        await services.trading.cancel(2**31 - 2)  # the largest IB order id is asked for
    assert broker.called("cancel_order") == [(5,), (2**31 - 2,)]


async def test_open_orders_in_id_order(services: Services, broker: FakeBroker) -> None:
    broker.next_order_id = 50
    await services.trading.place(order())
    broker.next_order_id = 7
    await services.trading.place(order(action="SELL"))
    await services.trading.place(order(order_type="MKT", limit_price=None))  # fills at once
    assert [(o.order_id, o.action) for o in await services.trading.open_orders()] == [
        (7, "SELL"),
        (50, "BUY"),
    ]


async def test_order_status_is_the_brokers_current_state(services: Services) -> None:
    placed = await services.trading.place(order())
    assert await services.trading.order_status(placed.order_id) == placed
    await services.trading.cancel(placed.order_id)
    assert (await services.trading.order_status(placed.order_id)).status == "Cancelled"


async def test_order_status_of_an_unknown_order(services: Services) -> None:
    with pytest.raises(OrderNotFound, match="Order 4242 is not known"):
        await services.trading.order_status(4242)

"""Executions and completed orders: filtered, newest first, bounded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from application.container import Services
from domain.errors import InvalidRequest
from domain.executions import CompletedOrder, Execution, ExecutionQuery
from tests.fakes import FakeBroker

T0 = datetime(2025, 3, 4, 15, 0, tzinfo=UTC)


def fill(n: int, *, symbol: str = "AAPL", side: str = "BUY") -> Execution:
    return Execution(
        exec_id=f"e.{n:04d}",
        order_id=n,
        perm_id=1000 + n,
        client_order_id=None,
        account_id="DU1234567",
        contract_id=265598 if symbol == "AAPL" else 1,
        symbol=symbol,
        sec_type="STK",
        side=side,
        quantity=10,
        price=100.0 + n,
        time=T0 + timedelta(minutes=n),
        exchange="ISLAND",
        currency="USD",
        commission=1.0,
        commission_currency="USD",
        realized_pnl=None,
    )


def done(perm_id: int, when: datetime | None) -> CompletedOrder:
    return CompletedOrder(
        perm_id=perm_id,
        order_id=None,
        client_order_id=None,
        account_id="DU1234567",
        contract_id=265598,
        symbol="AAPL",
        sec_type="STK",
        action="BUY",
        order_type="MKT",
        quantity=1,
        limit_price=None,
        stop_price=None,
        time_in_force="DAY",
        status="Filled",
        filled_quantity=1,
        average_fill_price=None,
        completed_time=when,
    )


async def test_executions_newest_first_and_cut_at_the_limit(
    services: Services, broker: FakeBroker
) -> None:
    broker.execution_list = [fill(n) for n in (3, 1, 4, 2)]
    found = await services.activity.executions(ExecutionQuery(limit=3))
    assert [e.exec_id for e in found] == ["e.0004", "e.0003", "e.0002"]


async def test_executions_pass_the_filter_to_the_broker(
    services: Services, broker: FakeBroker
) -> None:
    broker.execution_list = [fill(1), fill(2, side="SELL"), fill(3, symbol="MSFT", side="SELL")]
    query = ExecutionQuery(since=T0 + timedelta(minutes=2), symbol="AAPL", side="SELL")
    found = await services.activity.executions(query)
    assert [e.exec_id for e in found] == ["e.0002"]
    assert broker.called("executions") == [(query,)]


@pytest.mark.parametrize("limit", [0, 1001])
async def test_an_unbounded_limit_is_refused_before_ib(
    services: Services, broker: FakeBroker, limit: int
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        await services.activity.executions(ExecutionQuery(limit=limit))
    assert caught.value.field == "limit"
    with pytest.raises(InvalidRequest):
        await services.activity.completed_orders(limit)
    assert broker.called("executions") == broker.called("completed_orders") == []


async def test_a_naive_since_is_refused(services: Services) -> None:
    with pytest.raises(InvalidRequest) as caught:
        await services.activity.executions(ExecutionQuery(since=datetime(2025, 3, 4)))
    assert caught.value.field == "since"


async def test_completed_orders_newest_first_unknown_times_last(
    services: Services, broker: FakeBroker
) -> None:
    broker.completed = [done(1, T0), done(3, None), done(2, T0 + timedelta(seconds=5))]
    found = await services.activity.completed_orders(2)
    assert [o.perm_id for o in found] == [2, 1]

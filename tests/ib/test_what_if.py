"""IbBroker.what_if and account_is_live against the simulated gateway over TCP."""

from __future__ import annotations

import pytest
from ib_async import OrderState
from ib_async.util import UNSET_DOUBLE

from adapters.ib.mapping import number
from adapters.ib.what_if import what_if_from_state
from domain.orders import OrderRequest
from tests.ib.conftest import stock


async def test_what_if_reports_commission_and_margin_and_places_nothing(broker, simulator):
    aapl = await stock(broker)
    order = OrderRequest(contract_id=aapl.con_id, action="BUY", quantity=10, order_type="MKT")
    verdict = await broker.what_if(aapl, order)
    assert verdict.commission is not None and verdict.commission > 0
    assert verdict.commission_currency == "USD"
    assert verdict.init_margin_change is not None and verdict.init_margin_change > 0
    assert simulator.world.open_orders() == [] and simulator.world.completed_orders() == []


async def test_the_simulator_account_is_paper(broker):
    assert await broker.account_is_live() is False


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("", None), ("1234.5", 1234.5), (UNSET_DOUBLE, None), ("1.7976931348623157E308", None),
     (-UNSET_DOUBLE, None), (2.5, 2.5), ("nan", None), ("n/a", None), (None, None)],
)  # fmt: skip
def test_ib_numbers_without_a_value_become_none(raw, expected):
    assert number(raw) == expected


def test_an_empty_order_state_is_all_none():
    verdict = what_if_from_state(OrderState())
    assert verdict.commission is None and verdict.init_margin_after is None
    assert verdict.commission_currency is None and verdict.warning_text is None

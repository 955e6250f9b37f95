"""Portfolio and PnL through the account service."""

from __future__ import annotations

import pytest

from application.container import Services
from domain.account import AccountPnl
from domain.errors import ContractNotFound
from tests.factories import PositionFactory
from tests.fakes import FakeBroker


async def test_portfolio_sorted_like_positions(services: Services, broker: FakeBroker) -> None:
    broker.position_list = PositionFactory.batch(4)
    items = await services.account.portfolio("")
    keys = [(p.sec_type, p.symbol, p.contract_id) for p in items]
    assert keys == sorted(keys) and len(items) == 4
    assert broker.called("portfolio") == [(None,)]


async def test_pnl_is_the_brokers(services: Services, broker: FakeBroker) -> None:
    broker.account_pnl_figures = AccountPnl(
        account_id="DU1234567", daily_pnl=-5.0, unrealized_pnl=12.5, realized_pnl=None
    )
    assert await services.account.pnl() == broker.account_pnl_figures


async def test_position_pnl_of_a_contract_not_held_and_an_unknown_one(
    services: Services, broker: FakeBroker
) -> None:
    known = broker.contracts[0].con_id
    flat = await services.account.position_pnl(known)
    assert (flat.position, flat.unrealized_pnl) == (0.0, None)
    with pytest.raises(ContractNotFound):
        await services.account.position_pnl(999_999_999, "DU1234567")
    assert broker.called("position_pnl")[-1] == ("DU1234567", 999_999_999)

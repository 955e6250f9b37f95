"""Account and contract calls through the real IbBroker against the simulated gateway."""

from __future__ import annotations

import asyncio

import pytest

from adapters.ib.broker import IbBroker
from application.services.contracts import ContractService
from domain.contract import ContractQuery
from domain.errors import InvalidRequest, UnknownAccount
from domain.options import ChainFilters, OptionChainQuery
from domain.orders import OrderRequest
from tests.ib.conftest import stock


async def test_account_summary_values_and_positions(broker: IbBroker) -> None:
    async with asyncio.timeout(10):
        summary = await broker.account_summary(None)
        assert summary.account_id == "DU1234567"
        assert summary.account_type == "INDIVIDUAL"
        assert summary.net_liquidation_value and summary.net_liquidation_value > 0
        assert summary.buying_power is not None and summary.currency == "USD"
        values = await broker.account_values(None)
        assert {"NetLiquidation", "TotalCashValue", "BuyingPower"} <= {v.key for v in values}
        assert await broker.positions(None) == []

        aapl = await stock(broker)
        order = OrderRequest(action="BUY", quantity=7, contract_id=aapl.con_id)
        assert (await broker.place_order(aapl, order)).order_id > 0
        for _ in range(50):
            positions = await broker.positions(None)
            if positions:
                break
            await asyncio.sleep(0.05)
        (held,) = positions
        assert (held.contract_id, held.symbol, held.position) == (aapl.con_id, "AAPL", 7.0)
        assert held.market_price and held.market_value == held.position * held.market_price
        assert held.asset_class == "STK" and held.multiplier == 1.0


async def test_unknown_account_is_an_invalid_request(broker: IbBroker) -> None:
    async with asyncio.timeout(5):
        with pytest.raises(InvalidRequest) as caught:
            await broker.account_summary("U999")
        assert caught.value.accepted == ["DU1234567"]


async def test_order_account_is_a_managed_one_or_the_default(broker: IbBroker) -> None:
    async with asyncio.timeout(5):
        assert await broker.order_account(None) == "DU1234567"
        assert await broker.order_account("DU1234567") == "DU1234567"
        with pytest.raises(UnknownAccount) as caught:
            await broker.order_account("U9999999")
        assert caught.value.code == "unknown_account" and caught.value.accepted == ["DU1234567"]


async def test_contract_details_unique_ambiguous_and_unknown(broker: IbBroker) -> None:
    async with asyncio.timeout(10):
        aapl = await stock(broker)
        assert (aapl.con_id, aapl.primary_exchange, aapl.exchange) == (265598, "NASDAQ", "SMART")
        ccj = await broker.contract_details(
            ContractQuery(symbol="CCJ", sec_type="STK", exchange="SMART")
        )
        assert sorted(c.currency for c in ccj) == ["EUR", "USD"]
        assert await broker.contract_details(ContractQuery(symbol="NOSUCH", sec_type="STK")) == []
        by_id = await broker.contract_details(ContractQuery(con_id=aapl.con_id))
        assert by_id == [aapl]


async def test_identical_concurrent_contract_queries_share_one_request(broker: IbBroker) -> None:
    async with asyncio.timeout(10):
        ib = broker.supervisor.ib
        assert ib is not None
        sent_before = ib.client.conn.numMsgSent
        query = ContractQuery(symbol="MSFT", sec_type="STK", exchange="SMART", currency="USD")
        results = await asyncio.gather(*(broker.contract_details(query) for _ in range(20)))
        assert all(r == results[0] and len(r) == 1 for r in results)
        assert ib.client.conn.numMsgSent - sent_before == 1
        await broker.contract_details(query)  # cached: no request at all
        assert ib.client.conn.numMsgSent - sent_before == 1


async def test_option_chains_and_qualified_options(broker: IbBroker) -> None:
    async with asyncio.timeout(15):
        chains = await broker.option_chains("CCJ", "STK", 0)  # underlying qualified first
        exchanges = {c.exchange for c in chains}
        assert "SMART" in exchanges and len(exchanges) > 1
        smart = next(c for c in chains if c.exchange == "SMART")
        assert smart.underlying_con_id == "1447060" and smart.trading_class == "CCJ"
        assert smart.expirations == sorted(smart.expirations)

        strikes = [*smart.strikes[:3], 0.5]  # 0.5 is not listed: skipped, no error
        found = await broker.qualify_options(
            "CCJ", smart, smart.expirations[:2], strikes, ["C", "P"]
        )
        assert len(found) == 2 * 3 * 2
        assert len({c.con_id for c in found}) == len(found)
        assert all(c.sec_type == "OPT" and c.multiplier == "100" for c in found)

        service = ContractService(broker)
        result = await service.options_chain(
            OptionChainQuery(
                underlying_symbol="CCJ",
                exchange="SMART",
                filters=ChainFilters(
                    expirations=[smart.expirations[0]], strikes=[smart.strikes[0]], rights=["C"]
                ),
            )
        )
        (option,) = result.options_chain
        assert option.right == "C" and option.friendly_symbol.startswith("CCJ ")

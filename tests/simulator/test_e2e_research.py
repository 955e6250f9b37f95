"""Reference data through a real ib_async client: matching symbols, market rules, error 110."""

from __future__ import annotations

import asyncio

from ib_async import Future, LimitOrder, Stock, StopOrder

from tests.simulator.e2e import client, error_codes, simulator, wait_until


async def test_matching_symbols_answer_contract_descriptions(no_decoder_errors) -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(5):
        found = await ib.reqMatchingSymbolsAsync("appl")
        assert found is not None and found[0].contract.symbol == "AAPL"
        first = found[0]
        assert first.contract.conId == 265598 and first.contract.secType == "STK"
        assert first.contract.primaryExchange == "NASDAQ" and first.contract.currency == "USD"
        assert first.contract.description == "APPLE INC"
        assert first.derivativeSecTypes == ["OPT"]
        by_name = await ib.reqMatchingSymbolsAsync("micro")
        assert {d.contract.symbol for d in by_name or []} >= {"MSFT", "AMD"}
        es = await ib.reqMatchingSymbolsAsync("ES")
        assert any(d.contract.secType == "IND" and "FUT" in d.derivativeSecTypes for d in es or [])
        spx = await ib.reqMatchingSymbolsAsync("SPX")
        assert spx and spx[0].contract.secType == "IND" and "OPT" in spx[0].derivativeSecTypes
        wide = await ib.reqMatchingSymbolsAsync("A")
        assert wide is not None and 0 < len(wide) <= 16
        assert await ib.reqMatchingSymbolsAsync("zzzzq") == []


async def test_contract_details_name_rules_that_reqmarketrule_answers(no_decoder_errors) -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(5):
        (details,) = await ib.reqContractDetailsAsync(Stock("AAPL", "SMART", "USD"))
        exchanges = details.validExchanges.split(",")
        rule_ids = details.marketRuleIds.split(",")
        assert len(exchanges) == len(rule_ids)
        rule = await ib.reqMarketRuleAsync(int(rule_ids[exchanges.index("SMART")]))
        assert [(p.lowEdge, p.increment) for p in rule or []] == [(0.0, 0.0001), (1.0, 0.01)]
        (es,) = (await ib.reqContractDetailsAsync(Future("ES", exchange="CME")))[:1]
        es_rule = await ib.reqMarketRuleAsync(int(es.marketRuleIds.split(",")[0]))
        assert [(p.lowEdge, p.increment) for p in es_rule or []] == [(0.0, 0.25)]
        assert details.timeZoneId == "US/Eastern" and "CLOSED" in details.tradingHours + ";CLOSED"


async def test_an_off_tick_limit_price_is_refused_with_error_110() -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(5):
        (aapl,) = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
        trade = ib.placeOrder(aapl, LimitOrder("BUY", 1, 100.123456))
        await wait_until(lambda: 110 in error_codes(ib))
        await wait_until(lambda: trade.orderStatus.status == "Cancelled")
        assert not any(t.order.orderId == trade.order.orderId for t in ib.openTrades())
        stop = ib.placeOrder(aapl, StopOrder("SELL", 1, 50.005))
        await wait_until(lambda: stop.orderStatus.status == "Cancelled")
        on_tick = ib.placeOrder(aapl, LimitOrder("BUY", 1, 100.12))
        await wait_until(lambda: on_tick.orderStatus.status == "Submitted")

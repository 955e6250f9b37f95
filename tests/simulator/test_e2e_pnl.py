"""PnL subscriptions over the wire: answered at once, kept current after fills and price moves."""

from __future__ import annotations

import asyncio
import math

from ib_async import MarketOrder, Stock

from tests.simulator.e2e import client, simulator, wait_until


async def test_account_and_position_pnl_follow_fills_and_prices() -> None:
    async with simulator(tick_interval=0.02) as sim, client(sim) as ib, asyncio.timeout(8):
        (aapl,) = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
        account = ib.managedAccounts()[0]
        total = ib.reqPnL(account)
        single = ib.reqPnLSingle(account, "", aapl.conId)
        await wait_until(lambda: not math.isnan(total.dailyPnL) and single.position == 0)
        assert (total.dailyPnL, total.unrealizedPnL, total.realizedPnL) == (0.0, 0.0, 0.0)

        trade = ib.placeOrder(aapl, MarketOrder("BUY", 10))
        await wait_until(lambda: trade.isDone() and single.position == 10)
        assert single.value > 0 and single.unrealizedPnL < 0  # bought at the ask, marked at mid
        sold = ib.placeOrder(aapl, MarketOrder("SELL", 4))
        await wait_until(lambda: sold.isDone() and single.position == 6)
        await wait_until(lambda: total.realizedPnL != 0.0)
        assert single.realizedPnL == total.realizedPnL < 0  # spread and commissions
        assert math.isclose(
            single.dailyPnL, single.realizedPnL + single.unrealizedPnL, abs_tol=0.02
        )

        marked = single.value
        for _ in range(200):  # bounded: walk simulated time until the price moves
            sim.world.step(30.0)
            await asyncio.sleep(0.01)
            if single.value != marked:
                break
        assert single.value != marked
        ib.cancelPnLSingle(account, "", aapl.conId)
        ib.cancelPnL(account)


async def test_unknown_contract_is_error_200() -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(5):
        ib.reqPnLSingle(ib.managedAccounts()[0], "", 999_999_999)
        await wait_until(lambda: any(code == 200 for _, code, _ in ib.errors))

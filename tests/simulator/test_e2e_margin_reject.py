"""IB's margin reject quotes the Equity with Loan Value the account summary reports."""

from __future__ import annotations

import asyncio
import re

from ib_async import MarketOrder, Stock

from tests.simulator.e2e import client, simulator, wait_until


async def test_margin_reject_quotes_the_account_summary_equity_with_loan() -> None:
    # a clock that only moves by hand: quotes and valuation stay put between the two readings
    async with simulator(tick_interval=3600) as sim, client(sim) as ib, asyncio.timeout(5):
        (aapl,) = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
        summary = await ib.accountSummaryAsync()
        (elv,) = [float(v.value) for v in summary if v.tag == "EquityWithLoanValue"]
        trade = ib.placeOrder(aapl, MarketOrder("BUY", 1_000_000))
        await wait_until(lambda: trade.orderStatus.status == "Cancelled")
        (text,) = [t for _, code, t in ib.errors if code == 201]  # type: ignore[attr-defined]
        quoted = re.search(r"Equity with Loan Value of \[([0-9.]+) USD\]", text)
        assert quoted is not None, text
        assert float(quoted.group(1)) == round(elv, 2)

"""exerciseOptions over the wire: a bought option exercised (stock at the strike) or lapsed,
and IB's errors for what cannot be exercised."""

from __future__ import annotations

import asyncio

from ib_async import IB, Contract, MarketOrder, Option, Stock

from tests.simulator.e2e import client, error_codes, simulator, wait_until


async def _option(ib: IB, right: str) -> tuple[Contract, Contract]:
    (aapl,) = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
    chains = await ib.reqSecDefOptParamsAsync("AAPL", "", "STK", aapl.conId)
    smart = next(c for c in chains if c.exchange == "SMART")
    strike = smart.strikes[len(smart.strikes) // 2]
    (option,) = await ib.qualifyContractsAsync(
        Option(
            "AAPL", smart.expirations[-1], strike, right, "SMART", tradingClass=smart.tradingClass
        )
    )
    return aapl, option


def _held(ib: IB, con_id: int) -> float:
    return next((p.position for p in ib.positions() if p.contract.conId == con_id), 0.0)


def _cost(ib: IB, con_id: int) -> float:
    return next(p.avgCost for p in ib.positions() if p.contract.conId == con_id)


async def _buy(ib: IB, contract: Contract, quantity: int) -> None:
    trade = ib.placeOrder(contract, MarketOrder("BUY", quantity))
    await wait_until(lambda: trade.isDone() and _held(ib, contract.conId) == quantity)


async def test_exercising_a_call_delivers_the_stock_at_the_strike(no_decoder_errors) -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(8):
        aapl, call = await _option(ib, "C")
        await _buy(ib, call, 2)
        account = ib.managedAccounts()[0]
        cash_before = float(next(v.value for v in ib.accountValues() if v.tag == "TotalCashValue"))
        ib.exerciseOptions(call, 1, 1, account, 0)
        await wait_until(lambda: _held(ib, aapl.conId) == 100 and _held(ib, call.conId) == 1)
        assert _cost(ib, aapl.conId) == call.strike  # per share, no commission
        await wait_until(
            lambda: (
                float(next(v.value for v in ib.accountValues() if v.tag == "TotalCashValue"))
                != cash_before
            )
        )
        cash_after = float(next(v.value for v in ib.accountValues() if v.tag == "TotalCashValue"))
        assert round(cash_before - cash_after, 2) == round(100 * call.strike, 2)
        # the other contract lapses: the option is gone, the stock stays
        ib.exerciseOptions(call, 2, 1, account, 0)
        await wait_until(lambda: _held(ib, call.conId) == 0)
        assert _held(ib, aapl.conId) == 100
        assert not [c for c in error_codes(ib) if c < 2100]


async def test_exercising_a_put_sells_the_stock() -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(8):
        aapl, put = await _option(ib, "P")
        await _buy(ib, put, 1)
        ib.exerciseOptions(put, 1, 1, "", 0)
        await wait_until(lambda: _held(ib, aapl.conId) == -100 and _held(ib, put.conId) == 0)


async def test_what_cannot_be_exercised_gets_ibs_errors() -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(8):
        aapl, call = await _option(ib, "C")
        await _buy(ib, call, 1)

        async def refused(contract: Contract, quantity: int) -> tuple[int, str]:
            seen = len(ib.errors)  # type: ignore[attr-defined]
            ib.exerciseOptions(contract, 1, quantity, "", 0)
            await wait_until(lambda: len(ib.errors) > seen)  # type: ignore[attr-defined]
            _, code, text = ib.errors[seen]  # type: ignore[attr-defined]
            return code, text

        code, text = await refused(aapl, 1)
        assert code == 321 and "Only options" in text
        code, text = await refused(call, 2)
        assert code == 321 and "exceeds the long position" in text
        code, _ = await refused(Contract(conId=987654321), 1)
        assert code == 200
        assert _held(ib, call.conId) == 1  # nothing changed

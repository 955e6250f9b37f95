"""Option quotes with greeks and open interest, and IB's option calculators, through a real
ib_async client: tickOptionComputation (21) for the bid, ask, last and model (10-13) and for
calculateImpliedVolatility / calculateOptionPrice (53), open interest for generic tick 101."""

from __future__ import annotations

import asyncio
import math

import pytest
from ib_async import IB, Option, Stock

from adapters.simulated_gateway.markets.option_analytics import implied_vol
from adapters.simulated_gateway.markets.options import black_scholes
from tests.simulator.e2e import client, error_codes, simulator, wait_until


async def _options(ib: IB, count: int = 1) -> tuple[Stock, list[Option]]:
    (aapl,) = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
    chains = await ib.reqSecDefOptParamsAsync("AAPL", "", "STK", aapl.conId)
    smart = next(c for c in chains if c.exchange == "SMART")
    middle = len(smart.strikes) // 2
    wanted = [
        Option("AAPL", smart.expirations[2], strike, right, "SMART",
               tradingClass=smart.tradingClass)
        for strike in smart.strikes[middle : middle + count] for right in ("C", "P")
    ]  # fmt: skip
    return aapl, list(await ib.qualifyContractsAsync(*wanted))


async def test_option_quote_carries_every_computation_and_open_interest(
    no_decoder_errors,
) -> None:
    async with simulator(tick_interval=3600) as sim, client(sim) as ib, asyncio.timeout(5):
        aapl, (call, put, other, _) = await _options(ib, count=2)
        call_ticker = ib.reqMktData(call, "101,106")
        put_ticker = ib.reqMktData(put, "101,106")
        stock_ticker = ib.reqMktData(aapl, "")
        await ib.reqCurrentTimeAsync()  # every request was answered before this
        for ticker, right in ((call_ticker, "C"), (put_ticker, "P")):
            model, bid, ask, last = (ticker.modelGreeks, ticker.bidGreeks, ticker.askGreeks,
                                     ticker.lastGreeks)  # fmt: skip
            assert model and bid and ask and last
            assert 0.05 < model.impliedVol < 2
            assert (0 < model.delta < 1) if right == "C" else (-1 < model.delta < 0)
            assert model.gamma > 0 and model.vega > 0 and model.theta < 0
            assert model.undPrice == pytest.approx(stock_ticker.midpoint(), rel=1e-3)
            # each price's computation is the vol that prices the option at that price
            assert bid.optPrice == ticker.bid and ask.optPrice == ticker.ask
            assert last.optPrice == ticker.last
            assert bid.impliedVol < ask.impliedVol
            assert bid.impliedVol <= model.impliedVol <= ask.impliedVol
            years = _years(ticker, bid)
            repriced = black_scholes(bid.undPrice, call.strike, years, bid.impliedVol, right)
            assert repriced.price == pytest.approx(ticker.bid, abs=1e-4)
        assert call_ticker.callOpenInterest > 0 and math.isnan(call_ticker.putOpenInterest)
        assert put_ticker.putOpenInterest > 0 and math.isnan(put_ticker.callOpenInterest)
        assert call_ticker.volume >= 0 and put_ticker.volume >= 0
        plain = ib.reqMktData(other, "")  # not asked: no open interest
        await ib.reqCurrentTimeAsync()
        assert plain.modelGreeks is not None and math.isnan(plain.callOpenInterest)


def _years(ticker, computation) -> float:
    """The time to expiry the model used, recovered from its model price at its vol."""
    for days in range(1, 400):
        years = days / 365.25
        price = black_scholes(computation.undPrice, ticker.contract.strike, years,
                              computation.impliedVol, ticker.contract.right).price  # fmt: skip
        if abs(price - computation.optPrice) < 0.5:
            # refine: the vol implied at this horizon must match
            vol = implied_vol(computation.optPrice, computation.undPrice,
                              ticker.contract.strike, years, ticker.contract.right)  # fmt: skip
            if abs(vol - computation.impliedVol) < 0.05:
                return _solve_years(ticker, computation, years)
    raise AssertionError("no horizon reprices the option")


def _solve_years(ticker, computation, near: float) -> float:
    lo, hi = max(near - 30 / 365.25, 1e-4), near + 30 / 365.25
    contract = ticker.contract
    for _ in range(80):
        mid = (lo + hi) / 2
        price = black_scholes(computation.undPrice, contract.strike, mid,
                              computation.impliedVol, contract.right).price  # fmt: skip
        lo, hi = (mid, hi) if price < computation.optPrice else (lo, mid)
    return (lo + hi) / 2


async def test_open_interest_is_the_same_all_day_and_from_the_seed() -> None:
    seen = []
    for _ in range(2):
        async with simulator(tick_interval=3600) as sim, client(sim) as ib, asyncio.timeout(5):
            _, (call, _put) = await _options(ib)
            ticker = ib.reqMktData(call, "101")
            await ib.reqCurrentTimeAsync()
            seen.append(ticker.callOpenInterest)
    assert seen[0] > 0 and seen[0] == seen[1]


async def test_calculators_answer_a_custom_computation(no_decoder_errors) -> None:
    async with simulator(tick_interval=3600) as sim, client(sim) as ib, asyncio.timeout(8):
        _, (call, put) = await _options(ib)
        priced = await ib.calculateOptionPriceAsync(call, 0.3, 200.0)
        assert priced is not None and priced.impliedVol == 0.3 and priced.undPrice == 200.0
        assert priced.optPrice > 0 and 0 < priced.delta < 1 and priced.gamma > 0
        implied = await ib.calculateImpliedVolatilityAsync(call, priced.optPrice, 200.0)
        assert implied is not None and implied.impliedVol == pytest.approx(0.3, abs=1e-6)
        assert implied.delta == pytest.approx(priced.delta, abs=1e-6)
        put_priced = await ib.calculateOptionPriceAsync(put, 0.3, 200.0)
        assert put_priced is not None and -1 < put_priced.delta < 0
        # no underlying price: the underlying's current one
        live = await ib.calculateOptionPriceAsync(call, 0.3, 0.0)
        assert live is not None and live.undPrice and live.undPrice > 0
        # a price below the intrinsic value has no implied volatility
        deep = await ib.calculateImpliedVolatilityAsync(call, 0.01, call.strike * 3)
        assert deep is not None and deep.impliedVol is None
        assert [code for code in error_codes(ib) if code < 2100] == []  # farm notices only


async def test_calculators_refuse_what_is_not_an_option_or_not_positive() -> None:
    # ib_async reads 321 as a warning and lets its helpers time out: send the requests raw
    async with simulator(tick_interval=3600) as sim, client(sim) as ib, asyncio.timeout(8):
        aapl, (call, _put) = await _options(ib)
        ib.client.calculateImpliedVolatility(901, aapl, 1.0, 200.0, [])
        ib.client.calculateOptionPrice(902, call, -0.2, 200.0, [])
        ib.client.calculateImpliedVolatility(903, call, -1.0, 200.0, [])
        ib.client.calculateOptionPrice(904, Option("AAPL", "20991217", 1.0, "C", "SMART"),
                                       0.2, 200.0, [])  # fmt: skip
        ib.client.cancelCalculateImpliedVolatility(901)
        ib.client.cancelCalculateOptionPrice(902)
        await wait_until(lambda: len(_refusals(ib)) == 4)
        refusals = _refusals(ib)
        assert [(req_id, code) for req_id, code, _ in refusals] == [
            (901, 321), (902, 321), (903, 321), (904, 200),
        ]  # fmt: skip
        assert "STK" in refusals[0][2] and "volatility" in refusals[1][2]
        assert "price" in refusals[2][2]
        await ib.reqCurrentTimeAsync()  # the cancels were taken silently (no 322)
        assert 322 not in error_codes(ib)


def _refusals(ib: IB) -> list[tuple[int, int, str]]:
    return [e for e in ib.errors if e[0] > 900]  # type: ignore[attr-defined]

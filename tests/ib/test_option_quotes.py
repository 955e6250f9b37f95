"""Option quotes with greeks on live lines, and IB's option calculators, through IbBroker
against the simulator over TCP; and a chain page quoted within a small line budget."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from adapters.ib.broker import IbBroker
from adapters.simulated_gateway.tws.server import TwsSimulator
from application.clock import SystemClock
from application.services.contracts import ContractService
from application.services.market_data import MarketDataService
from application.services.market_lines import QuoteLines
from application.services.option_quotes import OptionQuotesService
from domain.contract import Contract
from domain.errors import ContractNotFound, InvalidRequest
from domain.option_quotes import ChainQuotesQuery, chain_rows
from tests.ib.conftest import stock
from tests.ib.sinks import RecordingSink

CCJ = 1447060


async def _options(broker: IbBroker, count: int = 1) -> list[Contract]:
    (chain, *_) = await broker.option_chains("CCJ", "STK", CCJ)
    middle = len(chain.strikes) // 2
    strikes = chain.strikes[middle : middle + count]
    found = await broker.qualify_options("CCJ", chain, chain.expirations[2:3], strikes, ["C", "P"])
    return sorted(found, key=lambda c: (c.strike, c.right))


async def test_an_option_line_carries_the_model_greeks_and_open_interest(
    broker: IbBroker,
) -> None:
    async with asyncio.timeout(10):
        call, put = await _options(broker)
        for option in (call, put):
            sink: RecordingSink[Any] = RecordingSink()
            line = await broker.feed.open_quotes(option, sink)
            try:
                quote = sink.items[-1]
            finally:
                line.close()
            assert quote.bid is not None and quote.ask is not None
            assert 0.05 < quote.implied_volatility < 2
            assert (0 < quote.delta < 1) if option.right == "C" else (-1 < quote.delta < 0)
            assert quote.gamma > 0 and quote.vega > 0 and quote.theta < 0
            assert quote.underlying_price > 0 and quote.open_interest > 0


async def test_calculators_round_trip_through_ibs_model(broker: IbBroker) -> None:
    async with asyncio.timeout(10):
        call, _put = await _options(broker)
        priced = await broker.option_price(call, 0.35, call.strike)
        assert priced.option_price and priced.option_price > 0
        assert priced.underlying_price == call.strike and 0.4 < (priced.delta or 0) < 0.7
        implied = await broker.implied_volatility(call, priced.option_price, call.strike)
        assert implied.implied_volatility == pytest.approx(0.35, abs=1e-6)
        assert implied.gamma == pytest.approx(priced.gamma) and (implied.theta or 0) < 0
        none = await broker.implied_volatility(call, 0.01, call.strike * 3)
        assert none.implied_volatility is None and none.delta is None


async def test_a_refused_calculation_fails_at_once_as_a_domain_error(
    broker: IbBroker, simulator: TwsSimulator
) -> None:
    aapl = await stock(broker)
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(InvalidRequest, match="321"):  # ib_async calls 321 a warning
        await broker.implied_volatility(aapl, 1.0, 200.0)
    assert loop.time() - started < 1.0
    gone = Contract(sec_type="OPT", con_id=0, symbol="CCJ", exchange="SMART", currency="USD",
                    last_trade_date_or_contract_month="20991217", strike=1.0, right="C")  # fmt: skip
    with pytest.raises(ContractNotFound):
        await broker.option_price(gone, 0.3, 50.0)
    assert simulator.requests["56"] == 1 and simulator.requests["57"] == 1  # cancelled


class CountingFeed:
    """The broker's feed, counting the quote lines open at IB at once."""

    def __init__(self, feed: Any) -> None:
        self._feed = feed
        self.open = 0
        self.most = 0

    async def open_quotes(self, contract: Contract, sink: Any) -> Any:
        subscription = await self._feed.open_quotes(contract, sink)
        self.open += 1
        self.most = max(self.most, self.open)
        close = subscription.close

        def closing() -> None:
            if not subscription.closed:
                self.open -= 1
            close()

        subscription.close = closing
        return subscription


async def test_a_chain_page_is_quoted_within_the_line_budget(broker: IbBroker) -> None:
    budget = 7
    feed = CountingFeed(broker.feed)
    clock = SystemClock()
    lines = QuoteLines(feed, clock, budget=budget, linger=60)  # type: ignore[arg-type]
    contracts = ContractService(broker)
    service = OptionQuotesService(
        broker, contracts, MarketDataService(broker, contracts, lines=lines, clock=clock),
        clock, lines=lines, calculator=broker,
    )  # fmt: skip
    try:
        async with asyncio.timeout(30):
            (chain, *_) = await broker.option_chains("CCJ", "STK", CCJ)
            query = ChainQuotesQuery(underlying_symbol="CCJ", expirations=chain.expirations[2:3],
                                     max_distance_pct=12, limit=16)  # fmt: skip
            page = await service.chain_quotes(query)
            assert feed.most <= budget and lines.stats().open <= budget
            assert page.count == 16 and page.total > 16 and page.next_cursor
            assert page.underlying_price and page.underlying_price > 0
            for (_, strike, _), row in chain_rows(page.expirations):
                assert row.bid is not None and row.ask is not None and row.iv and row.delta
                assert row.gamma and row.vega and row.theta and row.open_interest
                assert abs(strike - page.underlying_price) <= page.underlying_price * 0.12
            rest = await service.chain_quotes(
                ChainQuotesQuery(**{**_fields(query), "cursor": page.next_cursor})
            )
            assert rest.count == page.total - 16 and not isinstance(rest.next_cursor, str)
            seen = [key for key, _ in chain_rows(page.expirations + rest.expirations)]
            assert seen == sorted(set(seen))
            assert feed.most <= budget
    finally:
        lines.close_all()


def _fields(query: ChainQuotesQuery) -> dict[str, Any]:
    return {f: getattr(query, f) for f in query.__struct_fields__}

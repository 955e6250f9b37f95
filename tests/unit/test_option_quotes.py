"""The option-quotes use case over fakes of our ports: which contracts a filter selects, how a
page is quoted within the market data lines, and the calculators' checks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from application.services.contracts import ContractService
from application.services.market_data import MarketDataService
from application.services.market_lines import QuoteLines
from application.services.option_quotes import OptionQuotesService
from domain.contract import Contract
from domain.errors import InvalidRequest, LinesExhausted, MarketDataUnavailable
from domain.market_data import Quote
from domain.option_quotes import ChainQuotesQuery, chain_rows
from domain.options import CandidateChain
from tests.fakes import FakeBroker, FakeClock, FakeFeed

XYZ = 555
NOW = datetime(2025, 10, 6, 14, 0, tzinfo=UTC)
EXPIRIES = ["20251017", "20251121", "20251219"]


def option_quote(contract: Contract) -> Quote:
    if contract.sec_type != "OPT":
        return Quote(symbol="XYZ", bid=100.0, ask=100.2, last_price=100.1, timestamp=NOW)
    call = contract.right == "C"
    return Quote(
        symbol="XYZ", bid=1.2, ask=1.3, last_price=1.25, volume=321.0, timestamp=NOW,
        implied_volatility=0.2512345, delta=0.5123456 if call else -0.4876544, gamma=0.0312345,
        vega=0.1234567, theta=-0.0456789, underlying_price=100.1, open_interest=4567.0,
        market_data_type="live",
    )  # fmt: skip


class QuotingFeed(FakeFeed):
    """Answers every quote line at once with its first quote, as IB would, and counts how
    many lines are open at the same time."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.most = 0

    async def open_quotes(self, contract: Contract, sink: Any) -> Any:
        subscription = await super().open_quotes(contract, sink)
        self.most = max(self.most, sum(1 for key in self.open if key[0] == "quotes"))
        sink.push(option_quote(contract))
        return subscription


class QuotingBroker(FakeBroker):
    """One-off snapshots answer every option as the feed does (unless a test says no)."""

    unquoted: frozenset[float] = frozenset()
    refusal: MarketDataUnavailable | None = None

    async def snapshot(self, contract: Contract) -> Quote:
        quote = await super().snapshot(contract)
        if contract.strike in self.unquoted:
            raise self.refusal or MarketDataUnavailable("No market data subscription (354)")
        return option_quote(contract) if contract.sec_type == "OPT" else quote


def make_broker() -> QuotingBroker:
    broker = QuotingBroker()
    broker.contracts = [Contract(sec_type="STK", con_id=XYZ, symbol="XYZ", exchange="SMART",
                                 currency="USD")]  # fmt: skip
    chain = {"underlying_con_id": str(XYZ), "expirations": EXPIRIES,
             "strikes": [float(s) for s in range(80, 121)], "multiplier": "100"}  # fmt: skip
    broker.chains["XYZ"] = [
        CandidateChain(exchange="SMART", trading_class="XYZ", **chain),
        CandidateChain(exchange="SMART", trading_class="XYZW", **chain),
        CandidateChain(exchange="CBOE", trading_class="XYZ", **chain),
    ]
    broker.quotes[XYZ] = option_quote(broker.contracts[0])
    return broker


def make_service(
    broker: FakeBroker, feed: FakeFeed | None = None, budget: int = 100
) -> tuple[OptionQuotesService, QuoteLines | None]:
    clock = FakeClock(NOW)
    lines = QuoteLines(feed, clock, budget=budget) if feed is not None else None
    contracts = ContractService(broker)
    market_data = MarketDataService(broker, contracts, lines=lines, clock=clock)
    service = OptionQuotesService(broker, contracts, market_data, clock, lines=lines,
                                  calculator=broker, batch=10)  # fmt: skip
    return service, lines


def query(**fields: Any) -> ChainQuotesQuery:
    return ChainQuotesQuery(underlying_symbol="XYZ", **fields)


async def test_defaults_are_the_nearest_expiry_both_rights_of_the_class_named_like_the_symbol():
    service, _ = make_service(make_broker())
    page = await service.chain_quotes(query(strike_min=99, strike_max=101))
    assert (page.trading_class, page.exchange, page.total, page.count) == ("XYZ", "SMART", 6, 6)
    assert [key for key, _ in chain_rows(page.expirations)] == [
        ("20251017", s, r) for s in (99.0, 100.0, 101.0) for r in ("C", "P")
    ]
    assert page.underlying_price == pytest.approx(100.1)
    row = page.expirations[0].strikes[0].call
    assert row is not None
    assert (row.bid, row.ask, row.last, row.volume, row.open_interest) == (1.2, 1.3, 1.25, 321,
                                                                          4567)  # fmt: skip
    assert (row.iv, row.delta, row.gamma, row.vega, row.theta) == (
        0.2512,
        0.5123,
        0.031234,
        0.1235,
        -0.0457,
    )


async def test_distance_from_the_money_uses_the_underlying_price():
    service, _ = make_service(make_broker())
    page = await service.chain_quotes(query(max_distance_pct=5, right="call"))
    assert [s.strike for s in page.expirations[0].strikes] == [float(s) for s in range(96, 106)]
    assert all(s.call is not None and s.put is None for s in page.expirations[0].strikes)


async def test_a_filter_over_100_contracts_is_refused_with_the_count_and_how_to_narrow():
    service, _ = make_service(make_broker())
    with pytest.raises(InvalidRequest) as refused:
        await service.chain_quotes(query(expirations=EXPIRIES[:2]))
    message = refused.value.message
    assert "164 option contracts" in message and "2 expirations x 41 strikes x 2 rights" in message
    assert "max_distance_pct" in message and "strike_min" in message


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"expirations": ["20300118"]}, "20300118 not in this chain; its expirations: 20251017"),
        ({"exchange": "BOX"}, "chains exist on: CBOE, SMART"),
        ({"trading_class": "NOPE"}, "available: XYZ, XYZW"),
        ({"strike_min": 200}, "span 80 to 120"),
    ],
)
async def test_what_the_chain_does_not_have_is_named(fields, words):
    service, _ = make_service(make_broker())
    with pytest.raises(Exception, match=words):
        await service.chain_quotes(query(**fields))


@pytest.mark.parametrize(
    "fields",
    [{"limit": 101}, {"limit": 0}, {"strike_min": 110, "strike_max": 100},
     {"max_distance_pct": 0}, {"cursor": "next"}, {"right": "X"}, {"expirations": ["202510"]}],
)  # fmt: skip
def test_bad_filters_are_refused_before_any_call(fields):
    with pytest.raises(InvalidRequest):
        query(**fields)


async def test_pages_follow_the_cursor_in_chain_order():
    broker = make_broker()
    service, _ = make_service(broker)
    seen, cursor, pages = [], None, 0
    while True:
        page = await service.chain_quotes(
            query(
                expirations=EXPIRIES,
                strike_min=95,
                strike_max=104,
                right="P",
                limit=7,
                cursor=cursor,
            )
        )
        pages += 1
        assert page.total == 30 and page.count <= 7
        seen += [(key[0], key[1]) for key, _ in chain_rows(page.expirations)]
        if not isinstance(page.next_cursor, str):
            break
        cursor = page.next_cursor
    assert pages == 5 and len(seen) == 30 and seen == sorted(set(seen))
    # only each page's contracts were qualified and quoted
    assert len(broker.called("snapshot")) == 30 + pages  # and the underlying once a page


async def test_a_page_is_quoted_on_the_lines_in_batches_within_the_free_budget():
    broker = make_broker()
    feed = QuotingFeed(max_lines=6)
    service, lines = make_service(broker, feed, budget=6)
    assert lines is not None
    stream = await lines.lease(broker.contracts[0])  # a stream holds a line all along
    page = await service.chain_quotes(query(strike_min=96, strike_max=105))
    assert page.count == 20 and all(q.delta is not None for _, q in chain_rows(page.expirations))
    assert feed.most <= 6 and lines.stats().in_use == 1  # every leased line given back
    assert broker.called("snapshot") == []  # no one-off snapshot beside the lines
    lines.release(stream)


async def test_no_free_line_is_a_503_not_a_line_beyond_the_budget():
    broker = make_broker()
    feed = QuotingFeed(max_lines=2)
    service, lines = make_service(broker, feed, budget=2)
    assert lines is not None
    held = [await lines.lease(broker.contracts[0])]
    broker.contracts.append(Contract(sec_type="STK", con_id=556, symbol="OTHER"))
    held.append(await lines.lease(broker.contracts[1]))
    with pytest.raises(LinesExhausted):
        await service.chain_quotes(query(strike_min=99, strike_max=101))
    assert feed.most <= 2


async def test_contracts_without_a_quote_are_listed_and_counted():
    broker = make_broker()
    broker.unquoted = frozenset({99.0})
    service, _ = make_service(broker)
    page = await service.chain_quotes(query(strike_min=99, strike_max=100, right="C"))
    (_, first), (_, second) = chain_rows(page.expirations)
    assert page.count == 2 and first.bid is None and second.bid == 1.2
    assert page.message == "1 contracts have no quote (No market data subscription (354))"


async def test_calculators_check_their_inputs_and_fill_in_the_underlying_price():
    broker = make_broker()
    service, _ = make_service(broker)
    (option,) = await broker.qualify_options("XYZ", broker.chains["XYZ"][0], ["20251017"],
                                             [100.0], ["C"])  # fmt: skip
    broker.contracts.append(option)
    broker.quotes[option.con_id] = option_quote(option)
    answer = await service.implied_volatility(option.con_id, 2.0, None)
    assert broker.called("implied_volatility") == [(option.con_id, 2.0, 100.1)]
    assert answer.implied_volatility == pytest.approx(2.0 * 5 / 100.1, abs=1e-6)
    assert answer.underlying_price == 100.1 and answer.delta == 0.5
    priced = await service.option_price(option.con_id, 0.25, 110.0)
    assert priced.option_price == pytest.approx(5.5) and priced.implied_volatility == 0.25
    for call, words in (
        (service.implied_volatility(option.con_id, -1.0, None), "option_price must be positive"),
        (service.option_price(option.con_id, 25.0, None), "0.25 for 25%"),
        (service.option_price(option.con_id, 0.2, -5.0), "underlying_price must be positive"),
        (service.implied_volatility(XYZ, 1.0, 100.0), "XYZ STK, not an option"),
        (service.implied_volatility(option.con_id, 150.0, 100.0), "intrinsic value"),
    ):
        with pytest.raises(InvalidRequest, match=words):
            await call
    assert len(broker.called("implied_volatility")) == 2  # the last one reached the broker


async def test_a_page_without_any_quote_is_an_error_that_says_why():
    broker = make_broker()
    broker.unquoted = frozenset({99.0, 100.0})
    service, _ = make_service(broker)
    with pytest.raises(MarketDataUnavailable, match=r"any of the 2 options.*subscription"):
        await service.chain_quotes(query(strike_min=99, strike_max=100, right="C"))


async def test_a_page_cancelled_while_its_lines_open_gives_every_line_back():
    import asyncio

    from application.services.market_lines import QuoteLines

    class Clock:
        def monotonic(self) -> float:
            return asyncio.get_running_loop().time()

        async def sleep(self, seconds: float) -> None:
            await asyncio.sleep(seconds)

    class Subscription:
        def close(self) -> None:
            return None

    class HalfSlowFeed:  # half the lines open at once, the others wait for IB
        async def open_quotes(self, contract: Contract, sink: Any) -> Subscription:
            await asyncio.sleep(0.01 if contract.con_id % 2 else 30)
            return Subscription()

    lines = QuoteLines(HalfSlowFeed(), Clock(), budget=10)  # type: ignore[arg-type]
    service = OptionQuotesService(None, None, None, Clock(), lines=lines, quote_timeout=0.2)  # type: ignore[arg-type]
    options = [Contract(sec_type="OPT", con_id=i, symbol="AAPL") for i in range(1, 11)]
    page = asyncio.ensure_future(service._from_lines(lines, options))
    await asyncio.sleep(0.1)
    page.cancel()  # the MCP client cancelled, or the HTTP client went away
    with pytest.raises(asyncio.CancelledError):
        await page
    assert lines.stats().in_use == 0  # the opened ones linger idle, the others are gone


async def test_a_page_refused_for_a_missing_subscription_says_so_with_its_remedy():
    from domain.errors import MarketDataNotSubscribed

    broker = make_broker()
    broker.unquoted = frozenset({99.0, 100.0})
    broker.refusal = MarketDataNotSubscribed(
        "OPRA options data is not subscribed",
        ib_code=354,
        data="quotes",
        remedy="subscribe to OPRA",
    )
    service, _ = make_service(broker)
    with pytest.raises(MarketDataNotSubscribed, match="OPRA"):  # 403 with its remedy, not 503
        await service.chain_quotes(query(strike_min=99, strike_max=100, right="C"))


def test_options_on_futures_are_refused_not_answered_empty():
    with pytest.raises(InvalidRequest) as refused:
        query(underlying_sec_type="FUT")
    assert refused.value.field == "underlying_sec_type" and "FOP" in refused.value.message

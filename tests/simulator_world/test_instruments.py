from __future__ import annotations

from datetime import date

from adapters.simulated_gateway import SimWorld
from adapters.simulated_gateway.model import ContractQuery

from .conftest import MARKET_OPEN, one


def test_aapl_is_unique_with_real_con_id(world: SimWorld) -> None:
    aapl = one(world, symbol="AAPL", sec_type="STK", exchange="SMART")
    assert aapl.con_id == 265598
    assert aapl.primary_exchange == "NASDAQ"
    assert aapl.time_zone_id == "US/Eastern"
    assert aapl.trading_hours.startswith("20260204:0400-20260204:2000")
    assert aapl.liquid_hours.startswith("20260204:0930-20260204:1600")
    assert world.by_con_id(265598) == aapl


def test_ccj_is_ambiguous_without_currency(world: SimWorld) -> None:
    both = world.find(ContractQuery(symbol="CCJ", sec_type="STK", exchange="SMART"))
    assert {(i.con_id, i.currency) for i in both} == {(1447060, "USD"), (81540716, "EUR")}
    usd = one(world, symbol="CCJ", sec_type="STK", exchange="SMART", currency="USD")
    assert usd.con_id == 1447060
    eur = one(world, symbol="CCJ", sec_type="STK", currency="EUR")
    assert (eur.primary_exchange, eur.trading_class) == ("FWB2", "XETRA")


def test_requested_exchange_is_echoed(world: SimWorld) -> None:
    aapl = one(world, symbol="AAPL", sec_type="STK", exchange="ISLAND")
    assert aapl.con_id == 265598 and aapl.exchange == "ISLAND"
    assert world.find(ContractQuery(symbol="AAPL", sec_type="STK", exchange="IDEALPRO")) == []


def test_unknown_symbol_finds_nothing(world: SimWorld) -> None:
    assert world.find(ContractQuery(symbol="NOPE", sec_type="STK")) == []
    assert world.by_con_id(1) is None


def test_at_least_twenty_equities_with_reference_data(world: SimWorld) -> None:
    stocks = world.find(ContractQuery(sec_type="STK", currency="USD"))
    assert len(stocks) >= 20
    assert {"AAPL", "MSFT", "NVDA", "SPY", "QQQ", "CCJ"} <= {s.symbol for s in stocks}
    for s in stocks:
        assert s.long_name and s.industry and s.market_cap > 0 and s.stock_type


def test_spx_options_come_in_two_trading_classes(world: SimWorld) -> None:
    spx = one(world, symbol="SPX", sec_type="IND", exchange="CBOE")
    params = world.option_params("SPX", spx.con_id)
    assert {p.trading_class for p in params} == {"SPX", "SPXW"}
    assert {p.exchange for p in params} == {"SMART", "CBOE"}
    spxw = next(p for p in params if p.trading_class == "SPXW")
    expiry, strike = spxw.expirations[0], spxw.strikes[len(spxw.strikes) // 2]
    opt = one(world, symbol="SPX", sec_type="OPT", trading_class="SPXW",
              last_trade_date=expiry, strike=strike, right="C")  # fmt: skip
    assert opt.local_symbol.startswith("SPXW  ") and opt.multiplier == "100"


def test_option_params_one_chain_per_exchange_including_smart(world: SimWorld) -> None:
    params = world.option_params("CCJ", 1447060)
    assert {p.exchange for p in params} >= {"SMART", "CBOE", "BOX", "NASDAQOM"}
    chain = params[0]
    assert list(chain.expirations) == sorted(chain.expirations)
    assert list(chain.strikes) == sorted(chain.strikes)
    # Weekly Fridays and the monthly third Friday.
    assert "20260206" in chain.expirations and "20260220" in chain.expirations


def test_option_qualifies_by_expiry_strike_right(world: SimWorld) -> None:
    opt = one(world, symbol="CCJ", sec_type="OPT", exchange="SMART",
              last_trade_date="20260220", strike=55.0, right="C")  # fmt: skip
    assert opt.local_symbol == "CCJ   260220C00055000"
    assert opt.under_con_id == 1447060 and opt.multiplier == "100"
    assert world.by_con_id(opt.con_id) == opt
    # by OCC local symbol alone, and by conId alone
    assert one(world, sec_type="OPT", local_symbol="CCJ   260220C00055000") == opt
    assert world.find(ContractQuery(con_id=opt.con_id)) == [opt]


def test_partial_option_query_returns_every_match(world: SimWorld) -> None:
    both = world.find(ContractQuery(symbol="CCJ", sec_type="OPT",
                                    last_trade_date="20260220", strike=55.0))  # fmt: skip
    assert {o.right for o in both} == {"C", "P"}
    month = world.find(ContractQuery(symbol="CCJ", sec_type="OPT", last_trade_date="202602",
                                     right="P"))  # fmt: skip
    assert len({o.last_trade_date for o in month}) >= 3
    assert len({o.con_id for o in month}) == len(month)


def test_option_con_ids_are_stable_across_worlds() -> None:
    q = ContractQuery(symbol="AAPL", sec_type="OPT", last_trade_date="20260320")
    first = [o.con_id for o in SimWorld(seed=1, start=MARKET_OPEN).find(q)]
    second = [o.con_id for o in SimWorld(seed=2, start=MARKET_OPEN).find(q)]
    assert first == second and len(set(first)) == len(first)


def test_es_future_by_contract_month(world: SimWorld) -> None:
    es = one(world, symbol="ES", sec_type="FUT", exchange="CME", last_trade_date="202603")
    assert es.multiplier == "50" and es.local_symbol == "ESH6"
    assert es.last_trade_date == "20260320"
    fronts = world.find(ContractQuery(symbol="ES", sec_type="FUT"))
    assert len(fronts) == 4


def test_eurusd(world: SimWorld) -> None:
    fx = one(world, symbol="EUR", sec_type="CASH", currency="USD", exchange="IDEALPRO")
    assert fx.local_symbol == "EUR.USD" and fx.con_id == 12087792


def test_holiday_shows_closed_in_hours() -> None:
    from datetime import UTC, datetime

    w = SimWorld(start=datetime(2026, 11, 25, 15, tzinfo=UTC))
    aapl = w.by_con_id(265598)
    assert aapl is not None
    assert "20261126:CLOSED" in aapl.trading_hours
    assert "20261127:0930-20261127:1300" in aapl.liquid_hours  # the half day
    assert date(2026, 11, 26).weekday() == 3

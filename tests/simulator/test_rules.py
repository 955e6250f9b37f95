"""The wire side's own rules: account-summary tags, pacing, per-client order ids."""

from __future__ import annotations

from adapters.simulated_gateway.model import AccountValue
from adapters.simulated_gateway.tws.handlers.handlers_account import summary_rows
from adapters.simulated_gateway.tws.order_ids import OrderIds
from adapters.simulated_gateway.tws.pacing import HistoricalPacing, MessageRate, is_small_bar


def test_account_summary_tag_selection() -> None:
    values = [
        AccountValue("NetLiquidation", "1", "USD"),
        AccountValue("AccruedCash", "0", "USD"),
        AccountValue("CashBalance", "5", "BASE"),
        AccountValue("CashBalance", "3", "EUR"),
    ]

    def picked(*tags: str) -> list[tuple[str, str]]:
        return [(v.key, v.currency) for v in summary_rows(tags, values)]

    assert picked("NetLiquidation", "AccruedCash") == [
        ("NetLiquidation", "USD"),
        ("AccruedCash", "USD"),
    ]
    assert picked("$LEDGER") == [("CashBalance", "BASE")]
    assert picked("$LEDGER:EUR") == [("CashBalance", "EUR")]
    assert len(picked("$LEDGER:ALL")) == 3


def test_message_rate_warns_once_per_second() -> None:
    rate = MessageRate()
    assert rate.exceeded(0.0, 50) == 0
    assert rate.exceeded(0.1, 1) == 51
    assert rate.exceeded(0.2, 10) == 0  # already warned in this window
    assert rate.exceeded(1.3, 10) == 0  # a new window


def test_small_bars_only() -> None:
    assert is_small_bar("5 secs") and is_small_bar("30 secs")
    assert not is_small_bar("1 min") and not is_small_bar("1 day")


def test_historical_pacing_rules() -> None:
    pacing = HistoricalPacing()
    key = ("AAPL", "SMART", "TRADES")
    assert not pacing.violates(0.0, ("a",), key)
    assert pacing.violates(10.0, ("a",), key)  # identical within 15 s
    assert not pacing.violates(16.0, ("a",), key)
    for n in range(6):
        assert not pacing.violates(20.0, ("b", n), key)
    assert pacing.violates(20.5, ("c",), key)  # a 7th for the same contract within 2 s
    assert not pacing.violates(20.5, ("c",), ("MSFT", "SMART", "TRADES"))
    many = HistoricalPacing()
    for n in range(30):
        assert not many.violates(n * 3.0, ("x", n), ("k", n), weight=2)  # BID_ASK counts twice
    assert many.violates(95.0, ("y",), ("other",))  # more than 60 in 10 minutes


def test_order_ids_are_per_client() -> None:
    ids = OrderIds()
    assert ids.next_valid(1) == 1
    assert ids.assign(1, 5) == 5
    assert ids.assign(2, 5) != 5  # client 2's order 5 is another order
    assert ids.client_of(ids.assign(2, 5), 0) == (2, 5)
    ids.note_used(1, 5)
    assert ids.next_valid(1) == 6 and ids.next_valid(2) == 1
    ids.set_status(5, "Filled")
    assert ids.is_done(5) and ids.status(5) == "Filled"

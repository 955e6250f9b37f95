"""Contract, chain, historical and scanner query invariants, and IB's small grammars."""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.contract import (
    Contract,
    ContractQuery,
    distinguishing_fields,
    friendly_option_symbol,
    normalise_right,
)
from domain.errors import InvalidRequest
from domain.market_data import (
    DURATION_UNITS,
    HistoricalQuery,
    normalise_bar_size,
    normalise_duration,
)
from domain.options import ChainFilters
from domain.scanner import ScanQuery, parse_filter_codes


@pytest.mark.parametrize(
    ("given_", "right"), [("C", "C"), ("call", "C"), ("P", "P"), ("Put", "P"), ("", "")]
)
def test_rights(given_: str, right: str) -> None:
    assert normalise_right(given_) == right


@pytest.mark.parametrize("bad", ["X", "CP", "calls"])
def test_bad_rights(bad: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        ContractQuery(symbol="CCJ", right=bad)
    assert (caught.value.field, caught.value.accepted) == ("right", ["C", "P"])


@pytest.mark.parametrize("expiry", ["20260213", "202602", "20240229"])
def test_valid_expiries(expiry: str) -> None:
    assert ContractQuery(symbol="CCJ", last_trade_date_or_contract_month=expiry)


@pytest.mark.parametrize("expiry", ["20260230", "2026-02-13", "202613", "20230229", "2026021"])
def test_invalid_expiries(expiry: str) -> None:
    with pytest.raises(InvalidRequest):
        ContractQuery(symbol="CCJ", last_trade_date_or_contract_month=expiry)


def test_contract_query_needs_a_name_and_a_known_sec_type() -> None:
    with pytest.raises(InvalidRequest, match="Name the contract"):
        ContractQuery(sec_type="STK")
    with pytest.raises(InvalidRequest) as caught:
        ContractQuery(symbol="AAPL", sec_type="SHARES")
    assert "STK" in caught.value.accepted
    with pytest.raises(msgspec.ValidationError, match="con_id"):
        msgspec.convert({"con_id": -1}, ContractQuery)


def test_friendly_option_symbol() -> None:
    assert friendly_option_symbol("SPX", "20261218", 5000, "P") == "SPX Dec18'26 5000.0 PUT"


def test_distinguishing_fields_lists_only_what_differs() -> None:
    a = Contract(sec_type="STK", symbol="X", currency="USD", exchange="SMART")
    b = Contract(sec_type="STK", symbol="X", currency="EUR", exchange="SMART")
    assert distinguishing_fields([a, b]) == {"currency": ["EUR", "USD"]}


def test_chain_filters_normalise_and_validate() -> None:
    filters = msgspec.convert({"rights": ["call", "P"], "strikes": [120]}, ChainFilters)
    assert (filters.rights, filters.strikes, filters.narrows_contracts) == (
        ["C", "P"],
        [120.0],
        True,
    )
    assert not ChainFilters(trading_class=["CCJ"]).narrows_contracts
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({"strikes": [-5]}, ChainFilters)
    with pytest.raises(InvalidRequest, match=r"filters\.expirations"):
        ChainFilters(expirations=["20261341"])


@given(st.integers(min_value=1, max_value=999_999), st.sampled_from(DURATION_UNITS), st.booleans())
def test_every_number_and_unit_is_a_duration(number: int, unit: str, lower: bool) -> None:
    text = f"{number}  {unit.lower() if lower else unit}"
    assert normalise_duration(text) == f"{number} {unit}"


@given(st.text(max_size=12))
def test_durations_outside_the_grammar_are_refused(text: str) -> None:
    words = " ".join(text.split()).upper().split(" ")
    valid = (
        len(words) == 2 and words[0].isascii() and words[0].isdigit() and not words[0].startswith("0")
        and len(words[0]) <= 6 and words[1] in DURATION_UNITS
    )  # fmt: skip
    if valid:
        assert normalise_duration(text)
    else:
        with pytest.raises(InvalidRequest) as caught:
            normalise_duration(text)
        assert caught.value.field == "duration"


@pytest.mark.parametrize(
    ("given_", "size"),
    [("1 min", "1 min"), ("5 MINS", "5 mins"), ("1 d", "1 day"), ("1  hours", "1 hour")],
)
def test_bar_sizes(given_: str, size: str) -> None:
    assert normalise_bar_size(given_) == size


@pytest.mark.parametrize("bad", ["7 mins", "1 minute", "1 year", ""])
def test_bad_bar_sizes(bad: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        normalise_bar_size(bad)
    assert "5 mins" in caught.value.accepted


def test_filter_codes() -> None:
    assert parse_filter_codes("priceAbove5, volume_avg_1000,marketCapBelow=1e9,") == {
        "priceAbove": "5",
        "volume_avg": "1000",
        "marketCapBelow": "1e9",
    }
    with pytest.raises(InvalidRequest, match="priceAbove"):
        parse_filter_codes("priceAbove")


def test_scan_query_bounds() -> None:
    with pytest.raises(InvalidRequest, match="above_price"):
        ScanQuery(above_price=10, below_price=5)
    with pytest.raises(msgspec.ValidationError, match="rows"):
        msgspec.convert({"rows": 51}, ScanQuery)


@pytest.mark.parametrize(("end", "ok"), [("20251003 16:00:00", True), ("20251003-20:00:00", True),
                                         ("20251003 16:00:00 US/Eastern", True), ("20251003", False),
                                         ("2025-10-03T16:00:00", False), ("20251332 16:00:00", False)])  # fmt: skip
def test_historical_end_date_time(end: str, ok: bool) -> None:
    if ok:
        assert HistoricalQuery(contract_id=1, end_date_time=end).end_date_time == end
    else:
        with pytest.raises(InvalidRequest) as caught:
            HistoricalQuery(contract_id=1, end_date_time=end)
        assert caught.value.field == "end_date_time"

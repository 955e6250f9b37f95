"""A quantity fits the contract's size rule (IB's minSize and sizeIncrement) or is refused."""

from __future__ import annotations

import pytest

from domain.contract import Contract
from domain.errors import InvalidRequest
from domain.order_size import check_quantity, size_rule

STOCK = Contract(sec_type="STK", con_id=265598, symbol="AAPL", local_symbol="AAPL")
WHOLE_SHARES = Contract(
    sec_type="STK", con_id=265598, symbol="AAPL", local_symbol="AAPL", min_size=1.0,
    size_increment=1.0,
)  # fmt: skip
FRACTIONAL = Contract(
    sec_type="STK", con_id=756733, symbol="SPY", local_symbol="SPY", min_size=0.0001,
    size_increment=0.0001,
)  # fmt: skip
FX = Contract(
    sec_type="CASH", con_id=12087792, symbol="EUR", local_symbol="EUR.USD", min_size=0.01,
    size_increment=0.01,
)  # fmt: skip
BOARD_LOT = Contract(  # a market that trades in lots of 100 shares
    sec_type="STK", con_id=1, symbol="700", local_symbol="700", min_size=100.0,
    size_increment=100.0,
)  # fmt: skip
MIN_ABOVE_STEP = Contract(sec_type="STK", con_id=2, symbol="X", min_size=5.0, size_increment=1.0)


def test_no_rule_from_ib_means_whole_units() -> None:
    assert size_rule(STOCK) == (1.0, 1.0)
    assert size_rule(FX) == (0.01, 0.01)
    assert size_rule(MIN_ABOVE_STEP) == (5.0, 1.0)


@pytest.mark.parametrize(
    ("quantity", "contract"),
    [
        (1, STOCK), (10, STOCK), (1e6, STOCK), (3.0, WHOLE_SHARES),
        (0.5, FRACTIONAL), (0.0001, FRACTIONAL), (12.3456, FRACTIONAL),
        (20_000, FX), (1000.25, FX), (0.01, FX),
        (300, BOARD_LOT), (5, MIN_ABOVE_STEP), (6, MIN_ABOVE_STEP),
        (0.3, Contract(sec_type="CRYPTO", symbol="BTC", size_increment=0.1)),  # decimal, not binary
    ],
)  # fmt: skip
def test_quantities_that_fit_pass(quantity: float, contract: Contract) -> None:
    check_quantity(quantity, contract)


@pytest.mark.parametrize(
    ("quantity", "contract", "words"),
    [
        (1e-30, STOCK, ("quantity 1e-30", "below the minimum size 1", "multiple of 1 (whole")),
        (1.5, STOCK, ("quantity 1.5", "not a multiple of the size increment 1", "AAPL (STK)")),
        (0.5, WHOLE_SHARES, ("below the minimum size 1",)),
        (10.000001, WHOLE_SHARES, ("not a multiple",)),
        (0.00005, FRACTIONAL, ("below the minimum size 0.0001",)),
        (1000.255, FX, ("not a multiple of the size increment 0.01", "EUR.USD (CASH)")),
        (0.005, FX, ("below the minimum size 0.01",)),
        (150, BOARD_LOT, ("not a multiple of the size increment 100",)),
        (
            4,
            MIN_ABOVE_STEP,
            ("below the minimum size 5", "multiple of 1 (whole units), at least 5"),
        ),
    ],
)
def test_quantities_that_do_not_fit_are_refused_naming_the_increment(
    quantity: float, contract: Contract, words: tuple[str, ...]
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        check_quantity(quantity, contract)
    assert caught.value.field == "quantity"
    for word in words:
        assert word in caught.value.message, caught.value.message


@pytest.mark.parametrize("quantity", [float("nan"), float("inf"), 0.0, -1.0])
def test_non_numbers_are_refused(quantity: float) -> None:
    with pytest.raises(InvalidRequest, match="quantity must be a finite number") as caught:
        check_quantity(quantity, STOCK)
    assert caught.value.field == "quantity"

"""PnL builders, decoded by ib_async at 178."""

from __future__ import annotations

import pytest
from ib_async.util import UNSET_DOUBLE

from adapters.simulated_gateway.model import PnlFigures
from adapters.simulated_gateway.tws import messages_pnl as pm
from tests.simulator.decoding import only_call

pytestmark = pytest.mark.usefixtures("no_decoder_errors")


def test_pnl_round_trips() -> None:
    assert only_call(pm.pnl(7, PnlFigures(daily=-12.5, unrealized=40.0, realized=-52.5))) == (
        "pnl",
        (7, -12.5, 40.0, -52.5),
    )


def test_pnl_single_round_trips_with_a_whole_position() -> None:
    figures = PnlFigures(daily=3.0, unrealized=2.0, realized=1.0, position=10.0, value=2302.1)
    assert only_call(pm.pnl_single(8, figures)) == ("pnlSingle", (8, 10, 3.0, 2.0, 1.0, 2302.1))


def test_figures_ib_does_not_have_are_the_unset_double() -> None:
    nan = float("nan")
    _, args = only_call(pm.pnl_single(9, PnlFigures(daily=0.0, unrealized=nan, realized=nan)))
    assert args == (9, 0, 0.0, UNSET_DOUBLE, UNSET_DOUBLE, 0.0)

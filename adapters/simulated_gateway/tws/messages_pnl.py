"""Server -> client PnL messages (version 178): no version field, as ib_async decodes them."""

from __future__ import annotations

import math

from adapters.simulated_gateway.model import PnlFigures
from adapters.simulated_gateway.tws.messages import Fields
from adapters.simulated_gateway.tws.wire import UNSET_DOUBLE_TEXT, fmt_float

PNL = "94"
PNL_SINGLE = "95"


def _money(value: float) -> str:
    # IB writes a figure it does not have as the largest double
    return UNSET_DOUBLE_TEXT if math.isnan(value) else (fmt_float(round(value, 2)) or "0")


def pnl(req_id: int, figures: PnlFigures) -> Fields:
    """PNL: reqId, dailyPnL, unrealizedPnL, realizedPnL."""
    return [PNL, str(req_id), _money(figures.daily), _money(figures.unrealized),
            _money(figures.realized)]  # fmt: skip


def pnl_single(req_id: int, figures: PnlFigures) -> Fields:
    """PNL_SINGLE: reqId, position (whole units: ib_async reads an int), daily, unrealized,
    realized, value."""
    return [
        PNL_SINGLE,
        str(req_id),
        str(round(figures.position)),
        _money(figures.daily),
        _money(figures.unrealized),
        _money(figures.realized),
        _money(figures.value),
    ]

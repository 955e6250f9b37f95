"""An order on the simulated exchange's book, with what the exchange tracks while it works it.

Shared by ``exchange`` (which books, matches and fills it) and ``type_matching`` (the steps for
triggered, auction, immediate and algo orders), so neither imports the other for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from adapters.simulated_gateway.model import OrderRecord, OrderSpec

from .order_rules import DONE


@dataclass(slots=True)
class WorkingOrder:
    record: OrderRecord
    transmitted: bool
    expires_at: datetime | None
    triggered: bool = False  # a stop that has been elected
    rested: bool = False  # was once not marketable: later fills happen at the limit
    value_filled: float = 0.0  # sum of price x qty x multiplier, for commission tiers
    auction_at: datetime | None = None  # MOC/LOC/OPG: when the auction executes it
    algo_span: tuple[datetime, datetime] | None = None  # TWAP/VWAP: the window it slices

    @property
    def spec(self) -> OrderSpec:
        return self.record.spec

    @property
    def live(self) -> bool:
        return self.record.status not in DONE

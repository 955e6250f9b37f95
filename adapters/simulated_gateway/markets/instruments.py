"""The simulated market's contract catalogue: stocks, ETFs, SPX, ES futures, EURUSD, options.

Hours strings are relative to the simulated date, so the catalogue is rebuilt (cheaply) when
the date changes. Options are produced on demand by ``option_chain``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from adapters.simulated_gateway.model import ContractQuery, Instrument

from .contract_match import matches, normalise_right, occ_parts, routable
from .listed_contracts import futures, fx_pair, index, stock
from .option_chain import (
    INDEX_OPTION_EXCHANGES,
    OPTION_EXCHANGES,
    OptionClass,
    decode_option_con_id,
)
from .universe import LISTINGS


@dataclass(frozen=True, slots=True)
class WalkSpec:
    """How an instrument's own price walk starts and moves."""

    price: float
    vol: float
    adv: float  # average daily volume, shares (0: no volume, as for indices and FX)


SPX_CON_ID = 416904
EURUSD_CON_ID = 12087792
_SPX_WALK = WalkSpec(5800.0, 0.16, 0.0)
_FX_WALK = WalkSpec(1.08, 0.07, 0.0)


class Catalogue:
    """Every contract the simulated gateway knows, as of one simulated date."""

    def __init__(self, today: date) -> None:
        self.today = date.min
        self._base: list[Instrument] = []
        self._by_id: dict[int, Instrument] = {}
        self.walks: dict[int, WalkSpec] = {}
        self._classes: list[OptionClass] = []
        self.set_today(today)

    def set_today(self, today: date) -> None:
        if today == self.today:
            return
        self.today = today
        self._base = [stock(li, today) for li in LISTINGS]
        self._base.append(index(SPX_CON_ID, today))
        self._base.append(fx_pair(EURUSD_CON_ID, today))
        self._base.extend(futures(today))
        self._by_id = {i.con_id: i for i in self._base}
        self.walks = {li.con_id: WalkSpec(li.price, li.vol, li.adv) for li in LISTINGS}
        self.walks[SPX_CON_ID] = _SPX_WALK
        self.walks[EURUSD_CON_ID] = _FX_WALK
        self._classes = self._option_classes()

    def _option_classes(self) -> list[OptionClass]:
        classes = []
        for i, li in enumerate(LISTINGS):
            if li.option_class:
                u = self._by_id[li.con_id]
                classes.append(
                    OptionClass(i, u, li.symbol, li.price, 0.5, True, True, OPTION_EXCHANGES)
                )
        spx = self._by_id[SPX_CON_ID]
        exchanges = INDEX_OPTION_EXCHANGES
        classes.append(OptionClass(40, spx, "SPX", 5800.0, 5.0, False, True, exchanges))
        classes.append(OptionClass(41, spx, "SPXW", 5800.0, 5.0, True, False, exchanges))
        return classes

    # -- lookups --------------------------------------------------------------------------

    def base(self) -> list[Instrument]:
        """Everything except options."""
        return list(self._base)

    def by_con_id(self, con_id: int) -> Instrument | None:
        found = self._by_id.get(con_id)
        if found is not None:
            return found
        decoded = decode_option_con_id(con_id, self.today)
        if decoded is None:
            return None
        index, expiry, right, strike_idx = decoded
        cls = next((c for c in self._classes if c.index == index), None)
        if cls is None or strike_idx == 0:
            return None
        return cls.contract(expiry, strike_idx * cls.strike_unit, right, self.today)

    def option_classes(self, symbol: str = "", under_con_id: int = 0) -> list[OptionClass]:
        return [
            c
            for c in self._classes
            if (not symbol or c.underlying.symbol == symbol.upper())
            and (not under_con_id or c.underlying.con_id == under_con_id)
        ]

    def find(self, q: ContractQuery) -> list[Instrument]:
        """Contracts matching a client's (possibly partial) contract, the way IB matches."""
        if q.con_id:
            inst = self.by_con_id(q.con_id)
            if inst is None or (q.exchange and not routable(inst, q.exchange)):
                return []
            return [_as_routed(inst, q.exchange)]
        if q.sec_type in ("OPT", "FOP"):
            found = self._find_options(q) if q.sec_type == "OPT" else []
        else:
            found = [i for i in self._base if matches(i, q)]
        return [_as_routed(i, q.exchange) for i in found]

    def _find_options(self, q: ContractQuery) -> list[Instrument]:
        symbol, expiry_s, right, strike = q.symbol.upper(), q.last_trade_date, q.right, q.strike
        parsed = occ_parts(q.local_symbol)
        if parsed is not None:  # an OCC local symbol says everything
            trading_class, expiry_s, right, strike = parsed
            symbol = symbol or ("SPX" if trading_class == "SPXW" else trading_class)
        right = normalise_right(right)
        out = []
        for cls in self.option_classes(symbol):
            if q.trading_class and q.trading_class != cls.trading_class:
                continue
            strikes = cls.strikes()
            if strike:
                strikes = [k for k in strikes if abs(k - strike) < 1e-6]
            for expiry in cls.expirations(self.today):
                if expiry_s and not f"{expiry:%Y%m%d}".startswith(expiry_s):
                    continue
                for k in strikes:
                    for r in (right,) if right else ("C", "P"):
                        inst = cls.contract(expiry, k, r, self.today)
                        if matches(inst, q):
                            out.append(inst)
        return out


def _as_routed(inst: Instrument, exchange: str) -> Instrument:
    # IB echoes the exchange the client asked for (SMART, CBOE, ISLAND...) in contract details.
    if exchange and exchange != inst.exchange and routable(inst, exchange):
        return replace(inst, exchange=exchange)
    return inst

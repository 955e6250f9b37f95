"""The market scanner: IB's parameter document and ranked scans over the simulated universe."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from adapters.simulated_gateway.model import Instrument, ScanRequest, ScanRow

from .instruments import Catalogue
from .market import Market
from .options import OptionPricer
from .sessions import schedule_of, volume_fraction

# scan code -> (display name, sort key direction: True ranks the largest first)
SCAN_CODES: dict[str, tuple[str, bool]] = {
    "TOP_PERC_GAIN": ("Top % Gainers", True),
    "TOP_PERC_LOSE": ("Top % Losers", False),
    "MOST_ACTIVE": ("Most Active", True),
    "MOST_ACTIVE_USD": ("Most Active ($)", True),
    "HOT_BY_VOLUME": ("Hot Contracts by Volume", True),
    "HOT_BY_PRICE": ("Hot Contracts by Price", True),
    "HIGH_OPT_IMP_VOLAT": ("Highest Option Implied Vol", True),
    "LOW_OPT_IMP_VOLAT": ("Lowest Option Implied Vol", False),
}
INSTRUMENTS = {"STK": "US Stocks", "ETF.EQ.US": "US Equity ETFs", "STOCK.EU": "European Stocks"}
LOCATIONS = {
    "STK.US": ("US Stocks", "STK"),
    "STK.US.MAJOR": ("Listed/NASDAQ", "STK"),
    "STK.NASDAQ": ("NASDAQ", "STK"),
    "STK.NYSE": ("NYSE", "STK"),
    "STK.ARCA": ("NYSE Arca", "STK"),
    "ETF.EQ.US.MAJOR": ("US Equity ETFs", "ETF.EQ.US"),
    "STK.EU": ("Europe", "STOCK.EU"),
    "STK.EU.IBIS": ("XETRA", "STOCK.EU"),
}
_FILTERS = ("priceAbove", "priceBelow", "volumeAbove", "marketCapAbove1e6",
            "marketCapBelow1e6", "changePercAbove", "changePercBelow")  # fmt: skip


def parameters_xml() -> str:
    """A ScanParameterResponse document in the shape TWS returns for reqScannerParameters."""
    root = ET.Element("ScanParameterResponse")
    instruments = ET.SubElement(root, "InstrumentList", varName="fullInstrumentList")
    for code, name in INSTRUMENTS.items():
        el = ET.SubElement(instruments, "Instrument")
        ET.SubElement(el, "name").text = name
        ET.SubElement(el, "type").text = code
        ET.SubElement(el, "filters").text = ",".join(_FILTERS)
    tree = ET.SubElement(root, "LocationTree", varName="locationTree")
    for code, (name, instrument) in LOCATIONS.items():
        el = ET.SubElement(tree, "Location")
        ET.SubElement(el, "displayName").text = name
        ET.SubElement(el, "locationCode").text = code
        ET.SubElement(el, "instruments").text = instrument
        ET.SubElement(el, "routeExchange").text = "SMART"
    scans = ET.SubElement(root, "ScanTypeList", varName="scanTypeList")
    for code, (name, _) in SCAN_CODES.items():
        el = ET.SubElement(scans, "ScanType")
        ET.SubElement(el, "displayName").text = name
        ET.SubElement(el, "scanCode").text = code
        ET.SubElement(el, "instruments").text = ",".join(INSTRUMENTS)
        ET.SubElement(el, "absoluteColumns").text = "false"
        ET.SubElement(el, "supportsSorting").text = "true"
        ET.SubElement(el, "respSizeLimit").text = "50"
        ET.SubElement(el, "access").text = "unrestricted"
    filters = ET.SubElement(root, "FilterList", varName="filterList")
    for f in _FILTERS:
        el = ET.SubElement(filters, "RangeFilter")
        ET.SubElement(el, "id").text = f
        ET.SubElement(el, "category").text = "Price" if "price" in f else "Other"
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body


@dataclass(frozen=True, slots=True)
class Snapshot:
    inst: Instrument
    price: float
    change: float  # fraction since the previous close
    volume: float
    relative_volume: float  # volume against what an average day has done by now
    implied_vol: float


class Scanner:
    def __init__(self, catalogue: Catalogue, market: Market, options: OptionPricer) -> None:
        self._catalogue, self._market, self._options = catalogue, market, options

    def scan(self, request: ScanRequest, t: datetime) -> list[ScanRow]:
        """The ranked rows; ValueError with IB's reason (after its 162 prefix) for a bad scan."""
        code = request.scan_code.strip().upper()
        if code not in SCAN_CODES:
            raise ValueError(f"Error: The scan code {request.scan_code} is not valid.")
        universe = self._universe(request.instrument, request.location_code)
        shots = [s for s in map(lambda i: self._snapshot(i, t), universe) if _passes(s, request)]
        largest_first = SCAN_CODES[code][1]
        shots.sort(key=_metric(code), reverse=largest_first)
        rows = request.rows if 0 < request.rows <= 50 else 50
        return [ScanRow(rank=i, instrument=s.inst) for i, s in enumerate(shots[:rows])]

    def _universe(self, instrument: str, location: str) -> list[Instrument]:
        instrument, location = instrument.upper(), location.upper()
        if instrument not in INSTRUMENTS:
            raise ValueError(f"Error: Instrument {instrument} is not valid for the scanner.")
        if location not in LOCATIONS:
            # IB's own words for a location code it has no scanner for
            raise ValueError(
                "Error: Market Scanner is not configured for one of the chosen locations."
            )
        stocks = [i for i in self._catalogue.base() if i.sec_type == "STK"]
        if instrument == "STOCK.EU" or location.startswith("STK.EU"):
            return [i for i in stocks if i.currency == "EUR"]
        us = [i for i in stocks if i.currency == "USD"]
        if instrument == "ETF.EQ.US" or location.startswith("ETF"):
            us = [i for i in us if i.stock_type == "ETF"]
        venue = location.split(".")[1] if location.count(".") == 1 else ""
        if venue in ("NASDAQ", "NYSE", "ARCA"):
            us = [i for i in us if i.primary_exchange == venue]
        return us

    def _snapshot(self, inst: Instrument, t: datetime) -> Snapshot:
        q = self._market.quote(inst, t)
        price = q.last if not math.isnan(q.last) else (q.bid + q.ask) / 2
        sched = schedule_of(inst)
        expected = self._market.average_volume(inst) * volume_fraction(sched, sched.day_at(t), t)
        return Snapshot(
            inst=inst,
            price=price,
            change=price / q.close - 1.0 if q.close else 0.0,
            volume=q.volume,
            relative_volume=q.volume / expected if expected > 0 else 0.0,
            implied_vol=self._options.atm_vol(inst, t),
        )


def _metric(code: str) -> Callable[[Snapshot], float]:
    return {
        "TOP_PERC_GAIN": lambda s: s.change,
        "TOP_PERC_LOSE": lambda s: s.change,
        "MOST_ACTIVE": lambda s: s.volume,
        "MOST_ACTIVE_USD": lambda s: s.volume * s.price,
        "HOT_BY_VOLUME": lambda s: s.relative_volume,
        "HOT_BY_PRICE": lambda s: abs(s.change),
        "HIGH_OPT_IMP_VOLAT": lambda s: s.implied_vol,
        "LOW_OPT_IMP_VOLAT": lambda s: s.implied_vol,
    }[code]


def _millions(x: float) -> float:
    # IB's scanner takes market caps in millions of USD; a huge figure was meant in dollars.
    return x / 1e6 if x >= 1e7 else x


def _given(x: float | None) -> float | None:
    # Unset numbers may arrive as IB's sentinels (Double.MAX_VALUE, Integer.MAX_VALUE).
    return None if x is None or x >= 2147483647 else x


def _options(raw: dict[str, str]) -> dict[str, float]:
    out = {}
    for k, v in raw.items():
        try:
            if k in _FILTERS:
                out[k] = float(v)
        except ValueError:
            continue
    return out


def _passes(s: Snapshot, r: ScanRequest) -> bool:
    cap = s.inst.market_cap / 1e6
    above, below = _given(r.above_price), _given(r.below_price)
    volume = _given(r.above_volume)
    cap_above, cap_below = _given(r.market_cap_above), _given(r.market_cap_below)
    opts = _options(r.filter_options)
    checks = [
        above is None or s.price > above,
        below is None or s.price < below,
        volume is None or s.volume > volume,
        cap_above is None or cap > _millions(cap_above),
        cap_below is None or cap < _millions(cap_below),
        "priceAbove" not in opts or s.price > opts["priceAbove"],
        "priceBelow" not in opts or s.price < opts["priceBelow"],
        "volumeAbove" not in opts or s.volume > opts["volumeAbove"],
        "marketCapAbove1e6" not in opts or cap > opts["marketCapAbove1e6"],
        "marketCapBelow1e6" not in opts or cap < opts["marketCapBelow1e6"],
        "changePercAbove" not in opts or 100 * s.change > opts["changePercAbove"],
        "changePercBelow" not in opts or 100 * s.change < opts["changePercBelow"],
    ]
    return all(checks)

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from adapters.simulated_gateway import SimWorld
from adapters.simulated_gateway.model import ScanRequest


def test_parameters_document_lists_codes_and_locations(world: SimWorld) -> None:
    root = ET.fromstring(world.scanner_parameters_xml())
    assert root.tag == "ScanParameterResponse"
    codes = {e.text for e in root.iter("scanCode")}
    assert {"TOP_PERC_GAIN", "TOP_PERC_LOSE", "MOST_ACTIVE", "HOT_BY_VOLUME",
            "HIGH_OPT_IMP_VOLAT"} <= codes  # fmt: skip
    assert "STK.US.MAJOR" in {e.text for e in root.iter("locationCode")}


def test_gainers_and_losers_are_ranked(world: SimWorld) -> None:
    world.step(2 * 3600)
    gain = world.scan(ScanRequest("TOP_PERC_GAIN", rows=10))
    lose = world.scan(ScanRequest("TOP_PERC_LOSE", rows=10))
    assert [r.rank for r in gain] == list(range(10))

    def change(con_id: int) -> float:
        q = world.quote(con_id)
        return q.last / q.close - 1

    up = [change(r.instrument.con_id) for r in gain]
    down = [change(r.instrument.con_id) for r in lose]
    assert up == sorted(up, reverse=True) and down == sorted(down)
    assert up[0] >= down[0]


def test_most_active_and_filters(world: SimWorld) -> None:
    rows = world.scan(ScanRequest("MOST_ACTIVE", above_price=100.0, rows=50))
    assert rows and all(world.quote(r.instrument.con_id).last > 100 for r in rows)
    vols = [world.quote(r.instrument.con_id).volume for r in rows]
    assert vols == sorted(vols, reverse=True)
    big = world.scan(ScanRequest("HOT_BY_VOLUME", market_cap_above=1_000_000.0))  # millions
    assert big and all(r.instrument.market_cap > 1e12 for r in big)
    cheap = world.scan(ScanRequest("HIGH_OPT_IMP_VOLAT", below_price=50.0, above_volume=1000))
    assert {r.instrument.symbol for r in cheap} <= {"INTC", "PFE", "F"}


def test_etf_location(world: SimWorld) -> None:
    rows = world.scan(ScanRequest("MOST_ACTIVE", instrument="ETF.EQ.US",
                                  location_code="ETF.EQ.US.MAJOR"))  # fmt: skip
    assert rows and all(r.instrument.stock_type == "ETF" for r in rows)


def test_unknown_scan_code(world: SimWorld) -> None:
    with pytest.raises(ValueError, match="scan code"):
        world.scan(ScanRequest("NOT_A_SCAN"))

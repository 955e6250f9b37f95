"""Fundamentals reports and WSH corporate events through a real ib_async client."""

from __future__ import annotations

import asyncio
import json
import xml.etree.ElementTree as ET

import pytest
from ib_async import Option, Stock, WshEventData
from ib_async.wrapper import RequestError

from tests.simulator.e2e import client, simulator

REPORTS = ("ReportSnapshot", "ReportsFinSummary", "ReportsFinStatements", "ReportsOwnership",
           "RESC", "CalendarReport")  # fmt: skip
ROOTS = ("ReportSnapshot", "FinancialSummary", "ReportFinancialStatements",
         "OwnershipSnapshot", "RESC", "CalendarReport")  # fmt: skip


async def test_every_report_type_is_xml_in_ibs_shape(no_decoder_errors) -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(10):
        ib.RaiseRequestErrors = True
        (aapl,) = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
        for kind, root in zip(REPORTS, ROOTS, strict=True):
            xml = await ib.reqFundamentalDataAsync(aapl, kind)
            assert ET.fromstring(xml).tag == root, kind
            assert xml == await ib.reqFundamentalDataAsync(aapl, kind)  # deterministic
        snapshot = ET.fromstring(await ib.reqFundamentalDataAsync(aapl, "ReportSnapshot"))
        shares = float(snapshot.findtext("CoGeneralInfo/SharesOut") or 0)
        price = float(snapshot.findtext(".//Ratio[@FieldName='NPRICE']") or 0)
        cap = float(snapshot.findtext(".//Ratio[@FieldName='MKTCAP']") or 0)
        assert shares > 1e9 and cap == pytest.approx(shares * price / 1e6, rel=1e-4)
        (ticker,) = await ib.reqTickersAsync(aapl)
        assert price == pytest.approx(ticker.last, rel=0.02)  # the price of now


async def test_instruments_without_company_data_get_430() -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(10):
        ib.RaiseRequestErrors = True
        (spy,) = await ib.qualifyContractsAsync(Stock("SPY", "SMART", "USD"))
        with pytest.raises(RequestError) as etf:
            await ib.reqFundamentalDataAsync(spy, "ReportSnapshot")
        assert etf.value.code == 430 and "fundamentals data" in etf.value.message
        (aapl,) = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
        with pytest.raises(RequestError) as unknown:
            await ib.reqFundamentalDataAsync(aapl, "ReportBogus")
        assert unknown.value.code == 430
        chain = await ib.reqContractDetailsAsync(Option("AAPL", exchange="SMART", right="C"))
        with pytest.raises(RequestError) as option:
            await ib.reqFundamentalDataAsync(chain[0].contract, "ReportSnapshot")
        assert option.value.code == 430


async def test_wsh_meta_data_and_events(no_decoder_errors) -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(10):
        ib.RaiseRequestErrors = True
        meta = json.loads(await ib.getWshMetaDataAsync())
        assert {t["tag"] for t in meta["event_types"]} >= {"wshe_ed"}
        (aapl,) = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
        events = json.loads(await ib.getWshEventDataAsync(WshEventData(conId=aapl.conId)))
        assert any(e["event_type"] == "wshe_ed" for e in events)
        days = [e["index_date"] for e in events]
        assert days == sorted(days) and all(e["conid"] == aapl.conId for e in events)
        window = WshEventData(conId=aapl.conId, startDate=days[1], endDate=days[-1], totalLimit=2)
        cut = json.loads(await ib.getWshEventDataAsync(window))
        assert [e["index_date"] for e in cut] == days[1:3]
        (spy,) = await ib.qualifyContractsAsync(Stock("SPY", "SMART", "USD"))
        assert json.loads(await ib.getWshEventDataAsync(WshEventData(conId=spy.conId))) == []

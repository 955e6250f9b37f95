"""The market scanner through the real IbBroker: results, and IB's scanner errors (code 162
from the historical data service) answered as what they are: problems with the scan."""

from __future__ import annotations

import asyncio

import ib_async
import pytest

from adapters.ib.broker import IbBroker
from domain.errors import InvalidRequest, RateLimited
from domain.scanner import ScanQuery


async def test_a_scan_ranks_rows_and_releases_its_subscription(broker: IbBroker) -> None:
    async with asyncio.timeout(10):
        for _ in range(12):  # more than IB's concurrent subscriptions: each one is cancelled
            rows = await broker.scan(ScanQuery(scan_code="MOST_ACTIVE", rows=5))
            assert 0 < len(rows) <= 5 and [r.rank for r in rows] == list(range(1, len(rows) + 1))


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        (ScanQuery(scan_code="NOSUCH"), "scan_code", "scan code NOSUCH is not valid"),
        (ScanQuery(location_code="STK.MARS"), "location_code", "not configured"),
        (ScanQuery(instrument="BOND.XX"), "instrument", "Instrument BOND.XX"),
    ],
)
async def test_a_scan_ib_refuses_names_the_parameter(
    broker: IbBroker, query: ScanQuery, field: str, words: str
) -> None:
    async with asyncio.timeout(10):
        with pytest.raises(InvalidRequest) as caught:
            await broker.scan(query)
        error = caught.value
        assert error.field == field
        assert words in error.message and "IB's market scanner refused" in error.message
        assert "IB error 162" in error.message and "historical data" not in error.message


async def test_a_scan_ib_cancels_is_worth_a_retry(broker: IbBroker) -> None:
    async with asyncio.timeout(10):
        ib = broker.supervisor.ib
        assert ib is not None
        # Ten subscriptions someone left open on this session: IB cancels the next one.
        held = [
            ib.reqScannerSubscription(
                ib_async.ScannerSubscription(
                    instrument="STK", locationCode="STK.US.MAJOR", scanCode="TOP_PERC_GAIN"
                )
            )
            for _ in range(10)
        ]
        await asyncio.sleep(0.2)
        with pytest.raises(RateLimited) as caught:
            await broker.scan(ScanQuery())
        assert caught.value.retry_after == 5
        assert "IB cancelled the MOST_ACTIVE scan" in caught.value.message
        for subscription in held:
            ib.cancelScannerSubscription(subscription)
        await asyncio.sleep(0.2)
        assert await broker.scan(ScanQuery(rows=3))  # capacity again

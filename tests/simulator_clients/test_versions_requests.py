"""Requests from older clients, read into the v178 layout the handlers parse: what IB's
``ibapi`` 9.81 writes at each version 100..157 and ib_insync at 176 must read exactly as
ib_async's v178 request does. Also the handshake over a raw socket at the lowest version."""

from __future__ import annotations

import asyncio
import struct
from types import SimpleNamespace
from typing import Any

import ib_async
import ib_insync
import ib_insync.client
import pytest
from ibapi.client import EClient
from ibapi.contract import Contract as IbapiContract
from ibapi.order import Order as IbapiOrder
from ibapi.scanner import ScannerSubscription
from ibapi.tag_value import TagValue as IbapiTagValue

from adapters.simulated_gateway.tws.order_request import read_place_order
from adapters.simulated_gateway.tws.versions import from_client, negotiate
from adapters.simulated_gateway.tws.wire import frame, frame_raw
from tests.simulator.decoding import RecordingWrapper, encoded_request
from tests.simulator.e2e import HOST, simulator

OLD_VERSIONS = [100, 101, 102, 103, 110, 123, 124, 142, 143, 144, 145, 146, 148, 149, 150, 157]


def _ibapi_request(version: int, method: str, *args: Any) -> list[str]:
    """A request exactly as IB's ibapi 9.81 writes it for a server at ``version``."""
    sent: list[bytes] = []
    wrapper = RecordingWrapper()
    client = EClient(wrapper=wrapper)
    client.conn = SimpleNamespace(sendMsg=sent.append, isConnected=lambda: True)
    client.serverVersion_ = version
    client.connState = EClient.CONNECTED
    getattr(client, method)(*args)
    assert len(sent) == 1, f"ibapi refused {method} at {version}: {wrapper.calls}"
    parts = sent[0][4:].decode().split("\0")
    assert parts.pop() == ""
    return parts


def _insync_request(version: int, method: str, *args: Any) -> list[str]:
    sent: list[str] = []
    client = ib_insync.client.Client(RecordingWrapper())  # type: ignore[arg-type]
    client._serverVersion = version
    client.connState = ib_insync.client.Client.CONNECTED
    client.sendMsg = sent.append  # type: ignore[method-assign]
    getattr(client, method)(*args)
    parts = sent[0].split("\0")
    assert parts.pop() == ""
    return parts


def _stock() -> IbapiContract:
    c = IbapiContract()
    c.symbol, c.secType, c.exchange, c.primaryExchange, c.currency = (
        "AAPL", "STK", "SMART", "NASDAQ", "USD")  # fmt: skip
    return c


def _ibapi_order(**terms: Any) -> IbapiOrder:
    o = IbapiOrder()
    o.eTradeOnly = o.firmQuoteOnly = False
    for key, value in terms.items():
        setattr(o, key, value)
    return o


_ORDERS: list[dict[str, Any]] = [
    {"action": "BUY", "totalQuantity": 100, "orderType": "LMT", "lmtPrice": 187.25,
     "tif": "GTC", "outsideRth": True, "orderRef": "r1", "account": "DU1", "ocaGroup": "g1",
     "ocaType": 2, "goodTillDate": "20250404 16:00:00"},
    {"action": "SELL", "totalQuantity": 3, "orderType": "MKT", "whatIf": True},
    {"action": "SELL", "totalQuantity": 5, "orderType": "TRAIL", "trailingPercent": 1.5,
     "trailStopPrice": 180.0},
    {"action": "BUY", "totalQuantity": 10, "orderType": "LMT", "lmtPrice": 100.0,
     "algoStrategy": "Adaptive", "parentId": 3, "transmit": False},
]  # fmt: skip


def _ib_async_order(terms: dict[str, Any]) -> ib_async.Order:
    order = ib_async.Order(**{k: v for k, v in terms.items() if k != "algoStrategy"})
    if "algoStrategy" in terms:
        order.algoStrategy = terms["algoStrategy"]
        order.algoParams = [ib_async.TagValue("adaptivePriority", "Patient")]
    return order


def _expected(terms: dict[str, Any]):
    stock = ib_async.Stock("AAPL", "SMART", "USD", primaryExchange="NASDAQ")
    return read_place_order(encoded_request("placeOrder", 7, stock, _ib_async_order(terms)))


@pytest.mark.parametrize("version", OLD_VERSIONS)
@pytest.mark.parametrize("terms", _ORDERS, ids=["limit", "what-if", "trail", "algo-child"])
def test_ibapi_place_order_reads_as_at_178(version: int, terms: dict[str, Any]) -> None:
    order = _ibapi_order(**terms)
    if version < 111:
        order.cashQty = 0  # ibapi 9.81 defaults it to "unset", which it refuses to send there
    if "algoStrategy" in terms:
        order.algoParams = [IbapiTagValue("adaptivePriority", "Patient")]
    fields = _ibapi_request(version, "placeOrder", 7, _stock(), order)
    assert read_place_order(from_client(fields, version)) == _expected(terms)


@pytest.mark.parametrize("terms", _ORDERS, ids=["limit", "what-if", "trail", "algo-child"])
def test_ib_insync_place_order_at_176_reads_as_at_178(terms: dict[str, Any]) -> None:
    order = ib_insync.Order(**{k: v for k, v in terms.items() if k != "algoStrategy"})
    if "algoStrategy" in terms:
        order.algoStrategy = terms["algoStrategy"]
        order.algoParams = [ib_insync.TagValue("adaptivePriority", "Patient")]
    stock = ib_insync.Stock("AAPL", "SMART", "USD", primaryExchange="NASDAQ")
    fields = _insync_request(176, "placeOrder", 7, stock, order)
    assert read_place_order(from_client(fields, 176)) == _expected(terms)


def test_a_combo_order_finds_fa_profile_behind_its_legs() -> None:
    bag = _stock()
    bag.secType, bag.symbol = "BAG", "AAPL"
    leg = SimpleNamespace(conId=1, ratio=1, action="BUY", exchange="SMART", openClose=0,
                          shortSaleSlot=0, designatedLocation="", exemptCode=-1)  # fmt: skip
    bag.comboLegs = [leg, leg]
    order = _ibapi_order(action="BUY", totalQuantity=1, orderType="LMT", lmtPrice=1.5,
                         goodTillDate="20250404 16:00:00", ocaType=3)  # fmt: skip
    read = read_place_order(from_client(_ibapi_request(157, "placeOrder", 9, bag, order), 157))
    assert (read.good_till_date, read.oca_type, read.lmt_price) == ("20250404 16:00:00", 3, 1.5)


@pytest.mark.parametrize("version", OLD_VERSIONS)
def test_ibapi_historical_request_reads_as_at_178(version: int) -> None:
    args = ("", "1 D", "5 mins", "TRADES", 1, 1, False, [])
    fields = from_client(_ibapi_request(version, "reqHistoricalData", 9, _stock(), *args), version)
    stock = ib_async.Stock("AAPL", "SMART", "USD", primaryExchange="NASDAQ")
    expected = encoded_request("reqHistoricalData", 9, stock, *args)
    # through formatDate and keepUpToDate (absent below 124: the handler reads no flag)
    assert fields[:21] == expected[:21]
    assert fields[21] in ("0", "")


@pytest.mark.parametrize("version", OLD_VERSIONS)
def test_ibapi_depth_request_reads_as_at_178(version: int) -> None:
    c = _stock()
    if version < 149:
        c.primaryExchange = ""  # ibapi refuses a primary exchange before the server has it
    fields = from_client(_ibapi_request(version, "reqMktDepth", 9, c, 5, False, []), version)
    stock = ib_async.Stock("AAPL", "SMART", "USD", primaryExchange=c.primaryExchange)
    expected = encoded_request("reqMktDepth", 9, stock, 5, False, [])
    assert fields[:17] == expected[:17]  # through numRows and isSmartDepth


@pytest.mark.parametrize("version", OLD_VERSIONS)
def test_ibapi_scanner_request_reads_as_at_178(version: int) -> None:
    sub = ScannerSubscription()
    sub.instrument, sub.locationCode, sub.scanCode = "STK", "STK.US.MAJOR", "TOP_PERC_GAIN"
    sub.numberOfRows, sub.abovePrice = 10, 5.0
    filters = [IbapiTagValue("marketCapAbove1e6", "1000")] if version >= 143 else None
    fields = from_client(_ibapi_request(version, "reqScannerSubscription", 9, sub, [], filters),
                         version)  # fmt: skip
    expected_sub = ib_async.ScannerSubscription(
        instrument="STK", locationCode="STK.US.MAJOR", scanCode="TOP_PERC_GAIN",
        numberOfRows=10, abovePrice=5.0)  # fmt: skip
    expected = encoded_request("reqScannerSubscription", 9, expected_sub, [], [])
    assert fields[:20] == expected[:20]  # through the fields the handler reads before options


def test_hellos_negotiate_like_ib() -> None:
    assert negotiate("v100..157") == 157
    assert negotiate("v157..176") == 176
    assert negotiate("v100") == 100
    assert negotiate("v157..200 +PACEAPI") == 178
    assert negotiate("v76..99") is None
    assert negotiate("v99") is None
    assert negotiate("hello") is None


async def _read_message(reader: asyncio.StreamReader) -> list[str]:
    (size,) = struct.unpack(">I", await reader.readexactly(4))
    parts = (await reader.readexactly(size)).decode().split("\0")
    parts.pop()
    return parts


async def test_a_version_100_client_is_served_in_its_layout() -> None:
    async with simulator() as sim, asyncio.timeout(5):
        reader, writer = await asyncio.open_connection(HOST, sim.port)
        writer.write(b"API\0" + frame_raw(b"v100..100"))
        assert (await _read_message(reader))[0] == "100"
        writer.write(frame(["71", "2", "5", ""]))
        managed = await _read_message(reader)
        assert managed[0] == "15"
        while (await _read_message(reader))[0] != "9":
            pass
        # an unknown contract: the error has 5 fields below version 166
        writer.write(frame(["9", "8", "31", "0", "NOSUCH", "STK", "", "0", "", "", "SMART",
                            "", "USD", "", "", "0", "", ""]))  # fmt: skip
        error = await _read_message(reader)
        while error[0] != "4" or error[2] != "31":
            error = await _read_message(reader)
        assert error[:4] == ["4", "2", "31", "200"] and len(error) == 5
        # a request version 100 does not have: IB's client-side refusal, from the server
        writer.write(frame(["92", "32", "DU1234567", ""]))  # reqPnL (127+)
        refused = await _read_message(reader)
        assert refused[:4] == ["4", "2", "32", "503"] and len(refused) == 5
        writer.close()


async def test_a_hello_below_100_is_closed() -> None:
    async with simulator() as sim, asyncio.timeout(5):
        reader, writer = await asyncio.open_connection(HOST, sim.port)
        writer.write(b"API\0" + frame_raw(b"v70..99"))
        assert await reader.read() == b""  # closed without a reply
        writer.close()

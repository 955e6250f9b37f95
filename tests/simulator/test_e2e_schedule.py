"""The historical trading schedule (whatToShow=SCHEDULE -> message 106) through ib_async."""

from __future__ import annotations

import asyncio
import struct
from datetime import UTC, datetime

from ib_async import Contract, Future, HistoricalSchedule

from adapters.simulated_gateway.tws.wire import frame, frame_raw
from tests.simulator.e2e import HOST, client, error_codes, simulator, wait_until

MANUAL_CLOCK = 3600.0
AAPL = 265598


def _days(schedule: HistoricalSchedule) -> list[str]:
    return [s.refDate for s in schedule.sessions]


async def test_regular_sessions_of_the_last_days_up_to_now(no_decoder_errors) -> None:
    # The world's clock: Tuesday 2025-03-04, 10:00 New York, during the session.
    async with simulator(tick_interval=MANUAL_CLOCK) as sim, client(sim) as ib:
        async with asyncio.timeout(5):
            aapl = Contract(conId=AAPL, exchange="SMART")
            rth = await ib.reqHistoricalScheduleAsync(aapl, 5, "", True)
            full = await ib.reqHistoricalScheduleAsync(aapl, 5, "", False)
    assert rth.timeZone == "US/Eastern" and full.timeZone == "US/Eastern"
    # five sessions back, the weekend of March 1-2 skipped; today's session is listed whole
    assert _days(rth) == ["20250226", "20250227", "20250228", "20250303", "20250304"]
    assert rth.startDateTime == "20250226-09:30:00" and rth.endDateTime == "20250304-16:00:00"
    assert all(s.startDateTime[9:] == "09:30:00" and s.endDateTime[9:] == "16:00:00"
               for s in rth.sessions)  # fmt: skip
    assert all(s.startDateTime[:8] == s.refDate for s in rth.sessions)
    assert _days(full) == _days(rth)
    assert [(s.startDateTime[9:], s.endDateTime[9:]) for s in full.sessions] == [
        ("04:00:00", "20:00:00")
    ] * 5


async def test_holidays_are_skipped_and_half_days_close_early(no_decoder_errors) -> None:
    async with simulator(tick_interval=MANUAL_CLOCK) as sim, client(sim) as ib:
        async with asyncio.timeout(5):
            aapl = Contract(conId=AAPL, exchange="SMART")
            end = datetime(2025, 7, 8, 21, 0, tzinfo=UTC)  # Tuesday 17:00 New York
            july = await ib.reqHistoricalScheduleAsync(aapl, 5, end, True)
    by_day = {s.refDate: (s.startDateTime, s.endDateTime) for s in july.sessions}
    assert list(by_day) == ["20250701", "20250702", "20250703", "20250707", "20250708"]
    assert by_day["20250703"] == ("20250703-09:30:00", "20250703-13:00:00")  # half day
    assert by_day["20250708"] == ("20250708-09:30:00", "20250708-16:00:00")


async def test_a_future_trades_from_the_evening_before_in_chicago(no_decoder_errors) -> None:
    async with simulator(tick_interval=MANUAL_CLOCK) as sim, client(sim) as ib:
        async with asyncio.timeout(5):
            (details, *_) = await ib.reqContractDetailsAsync(Future("ES", exchange="CME"))
            es = Contract(conId=details.contract.conId, exchange="CME")
            globex = await ib.reqHistoricalScheduleAsync(es, 2, "", False)
            pit = await ib.reqHistoricalScheduleAsync(es, 2, "", True)
    assert globex.timeZone == "US/Central"
    # Monday's session opens Sunday 17:00 and belongs to Monday
    assert [(s.startDateTime, s.endDateTime, s.refDate) for s in globex.sessions] == [
        ("20250302-17:00:00", "20250303-16:00:00", "20250303"),
        ("20250303-17:00:00", "20250304-16:00:00", "20250304"),
    ]
    assert [(s.startDateTime, s.endDateTime) for s in pit.sessions] == [
        ("20250303-08:30:00", "20250303-15:00:00"),
        ("20250304-08:30:00", "20250304-15:00:00"),
    ]


async def test_a_duration_out_of_bounds_is_refused_with_321(no_decoder_errors) -> None:
    # ib_async takes 321 for a warning: the request's future stays open, the error is all.
    async with simulator(tick_interval=MANUAL_CLOCK) as sim, client(sim) as ib:
        async with asyncio.timeout(5):
            aapl = Contract(conId=AAPL, exchange="SMART")
            year = await ib.reqHistoricalScheduleAsync(aapl, 366, "", True)
            pending = [asyncio.ensure_future(ib.reqHistoricalScheduleAsync(aapl, days, "", True))
                       for days in (0, 367)]  # fmt: skip
            await wait_until(lambda: error_codes(ib).count(321) == 2)
            for task in pending:
                task.cancel()
    texts = [text for _, code, text in ib.errors if code == 321]  # type: ignore[attr-defined]
    assert "duration is invalid" in texts[0] and "too long" in texts[1]
    assert len(year.sessions) == 366 and len(set(_days(year))) == 366


async def test_an_unknown_contract_is_error_200(no_decoder_errors) -> None:
    async with simulator(tick_interval=MANUAL_CLOCK) as sim, client(sim) as ib:
        async with asyncio.timeout(5):
            await ib.reqHistoricalScheduleAsync(Contract(conId=999_999_999), 3, "", True)
    assert 200 in error_codes(ib)


async def _message(reader: asyncio.StreamReader) -> list[str]:
    (size,) = struct.unpack(">I", await reader.readexactly(4))
    parts = (await reader.readexactly(size)).decode().split("\0")
    parts.pop()
    return parts


def _schedule_request(req_id: int) -> list[str]:
    # 20|reqId|conId|symbol|secType|lastTrade|strike|right|multiplier|exchange|primaryExch|
    # currency|localSymbol|tradingClass|includeExpired|end|barSize|duration|useRTH|what|
    # formatDate|keepUpToDate|chartOptions
    return ["20", str(req_id), str(AAPL), "", "", "", "0", "", "", "SMART", "", "", "", "",
            "0", "", "1 day", "3 D", "1", "SCHEDULE", "1", "0", ""]  # fmt: skip


async def _served(hello: bytes, req_id: int) -> list[str]:
    """The answer to a raw SCHEDULE request of a client that says ``hello``."""
    async with simulator(tick_interval=MANUAL_CLOCK) as sim, asyncio.timeout(5):
        reader, writer = await asyncio.open_connection(HOST, sim.port)
        writer.write(b"API\0" + frame_raw(hello))
        await _message(reader)  # server version and time
        writer.write(frame(["71", "2", "5", ""]))
        while (await _message(reader))[0] != "9":
            pass
        writer.write(frame(_schedule_request(req_id)))
        answer = await _message(reader)
        while str(req_id) not in (answer[1:2] if answer[0] == "106" else answer[2:3]):
            answer = await _message(reader)
        writer.close()
        return answer


async def test_the_schedule_exists_from_server_version_165() -> None:
    answer = await _served(b"v100..165", 41)
    assert answer[:2] == ["106", "41"] and answer[4:6] == ["US/Eastern", "3"]
    refused = await _served(b"v100..164", 42)
    assert refused[:4] == ["4", "2", "42", "503"] and "historical schedule" in refused[4]

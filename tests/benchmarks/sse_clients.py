"""Many SSE subscribers in one process: count quote events and their delivery lag.

Each subscriber opens the stream URL, parses events with a minimal SSE reader, and for each
``quote`` event records ``now - timestamp`` (the quote's timestamp is when the service's
ib_async received the tick; client and service share this machine's clock). Prints one JSON
line (quote events per subscriber, and a histogram of lags in ms). Started by
``live_market_data.py``.

    python tests/benchmarks/sse_clients.py --url URL --subscribers 100 --seconds 30
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from datetime import datetime

import httpx

_STAMP = '"timestamp":"'


async def subscriber(
    url: str, seconds: float, lags: list[float], start: asyncio.Event
) -> tuple[int, bool, bool]:
    events = 0
    ended = connected = False
    limits = httpx.Timeout(10.0, read=30.0)
    async with (
        httpx.AsyncClient(timeout=limits) as client,
        client.stream("GET", url) as response,
    ):
        connected = response.status_code == 200
        if not connected:
            return 0, False, False
        await start.wait()
        deadline = time.monotonic() + seconds
        kind = ""
        async for line in response.aiter_lines():
            if time.monotonic() >= deadline:
                break
            if line.startswith("event:"):
                kind = line[6:].strip()
            elif line.startswith("data:") and kind == "quote":
                stamp = json.loads(line[5:])["timestamp"]
                arrived = time.time()
                lags.append((arrived - datetime.fromisoformat(stamp).timestamp()) * 1000)
                events += 1
            elif line.startswith("data:") and kind == "end":
                ended = True
                break
    return events, ended, connected


async def run(url: str, subscribers: int, seconds: float) -> dict[str, object]:
    lags: list[float] = []
    start = asyncio.Event()
    tasks = [asyncio.create_task(subscriber(url, seconds, lags, start)) for _ in range(subscribers)]
    await asyncio.sleep(2)  # every subscriber connected and past its first quotes
    lags.clear()
    start.set()
    results = await asyncio.gather(*tasks)
    histogram: dict[str, int] = {}  # lag rounded to 0.1 ms -> how many
    for lag in lags:
        key = f"{lag:.1f}"
        histogram[key] = histogram.get(key, 0) + 1
    return {
        "events": [r[0] for r in results],
        "ended": sum(r[1] for r in results),
        "connected": sum(r[2] for r in results),
        "lags": histogram,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--subscribers", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.url, args.subscribers, args.seconds))))


if __name__ == "__main__":
    main()

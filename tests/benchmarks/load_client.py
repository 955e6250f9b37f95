"""A closed-loop HTTP/1.1 load client: keep-alive connections, each asking in turn.

Connections open spread over ``--ramp`` seconds (not all in one burst), run ``--warmup``
seconds unmeasured, then ``--seconds`` measured: what steady keep-alive clients see, without
the connect storm of a cold start (a burst of 200 connects on this 2-core machine leaves a few
requests of every server, the bare framework included, waiting a second or more for TCP
retransmits). Raw asyncio streams on uvloop, so the client costs little CPU. Prints one JSON
line: answers, errors, and a histogram of latencies (ms, to 0.1 ms). Started by ``live_market_data.py``.

    python tests/benchmarks/load_client.py --port 8000 --paths /a,/b --connections 100
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import uvloop


async def worker(
    port: int, requests: list[bytes], offset: int, start: float, measure: float, end: float,
    latencies: list[float], errors: list[int],
) -> None:  # fmt: skip
    await asyncio.sleep(max(0.0, start - time.perf_counter()))
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    i = offset
    try:
        while (t0 := time.perf_counter()) < end:
            writer.write(requests[i % len(requests)])
            i += 1
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            if t0 >= measure:
                latencies.append((time.perf_counter() - t0) * 1000)
                if not head.startswith(b"HTTP/1.1 200"):
                    errors.append(1)
    finally:
        writer.close()


async def run(port: int, paths: list[str], connections: int, ramp: float, warmup: float,
              seconds: float) -> dict[str, object]:  # fmt: skip
    requests = [f"GET {p} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode() for p in paths]
    now = time.perf_counter()
    measure = now + ramp + warmup
    end = measure + seconds
    latencies: list[float] = []
    errors: list[int] = []
    await asyncio.gather(*(
        worker(port, requests, k, now + ramp * k / connections, measure, end, latencies, errors)
        for k in range(connections)
    ))  # fmt: skip
    histogram: dict[str, int] = {}  # latency rounded to 0.1 ms -> how many
    for x in latencies:
        key = f"{x:.1f}"
        histogram[key] = histogram.get(key, 0) + 1
    return {"answers": len(latencies) - len(errors), "errors": len(errors),
            "seconds": seconds, "histogram": histogram}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--paths", required=True)
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--ramp", type=float, default=2.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    result = uvloop.run(run(args.port, args.paths.split(","), args.connections, args.ramp,
                            args.warmup, args.seconds))  # fmt: skip
    print(json.dumps(result))


if __name__ == "__main__":
    main()

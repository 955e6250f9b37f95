"""Progress of a long call, reported through the door's ``Call.progress`` (framework-free).

``tracked`` runs one awaitable (a history request waiting for IB's pacing, a reconnect): it
reports 0 of 1 when it starts, then every ``interval`` seconds a value halfway between the last
one and 1 (always increasing, never done early), and 1 of 1 when the work is done. Without a
``progress`` callback (REST, or an MCP caller that asked for none) it only awaits the work.
A callback that fails (the client went away) never fails the call.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import TypeVar

from entrypoints.catalog.operation import Call

T = TypeVar("T")
INTERVAL = 1.0
CEILING = 0.999
log = logging.getLogger("ibkr_mcp.progress")


async def tracked(call: Call, what: str, work: Awaitable[T], *, interval: float = INTERVAL) -> T:
    report = call.progress
    if report is None:
        return await work
    task = asyncio.ensure_future(work)
    try:
        await _send(call, 0.0, f"{what}: asked")
        done = last = 0.0
        waited = 0.0
        while not task.done():
            finished, _ = await asyncio.wait({task}, timeout=interval)
            if finished:
                break
            waited += interval
            # Halfway to the end each time, up to CEILING: never the end before the work is
            # done (halving reaches 1.0 in a float after ~54 s), and never the same value
            # twice, as progress must increase; past the ceiling it falls silent until done.
            done = min(done + (1.0 - done) / 2, CEILING)
            if done <= last:
                continue
            last = done
            await _send(call, done, f"{what}: waiting for IB ({waited:g} s)")
        result = task.result()
    finally:
        if not task.done():
            task.cancel()
    await _send(call, 1.0, f"{what}: done")
    return result


async def _send(call: Call, progress: float, message: str) -> None:
    assert call.progress is not None
    try:
        await call.progress(progress, 1.0, message)
    except Exception:  # a progress notice that cannot be sent is no reason to fail the call
        log.debug("progress notification failed", exc_info=True)

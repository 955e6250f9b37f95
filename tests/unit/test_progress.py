"""tracked: increasing progress with a total while work runs; nothing without a callback."""

from __future__ import annotations

import asyncio

import pytest

from domain.errors import BrokerTimeout
from domain.safety import Caller
from entrypoints.catalog.operation import Call
from entrypoints.catalog.progress import tracked


def _call(progress) -> Call:
    return Call(services=None, caller=Caller(name="test", transport="stdio"), progress=progress)  # type: ignore[arg-type]


async def test_progress_rises_while_the_work_runs_and_ends_at_the_total() -> None:
    seen: list[tuple[float, float | None, str]] = []

    async def record(progress: float, total: float | None, message: str) -> None:
        seen.append((progress, total, message))

    async def slow() -> str:
        await asyncio.sleep(0.35)
        return "bars"

    assert await tracked(_call(record), "historical bars", slow(), interval=0.1) == "bars"
    values = [progress for progress, _, _ in seen]
    assert values[0] == 0.0 and values[-1] == 1.0 and len(values) >= 4
    assert values == sorted(set(values)) and all(total == 1.0 for _, total, _ in seen)
    assert seen[-1][2] == "historical bars: done"


async def test_a_failing_callback_or_none_never_changes_the_answer() -> None:
    async def broken(progress: float, total: float | None, message: str) -> None:
        raise ConnectionError("client gone")

    async def quick() -> int:
        return 7

    assert await tracked(_call(broken), "x", quick()) == 7
    assert await tracked(_call(None), "x", quick()) == 7

    async def refused() -> None:
        raise BrokerTimeout("no answer")

    with pytest.raises(BrokerTimeout):
        await tracked(_call(broken), "x", refused(), interval=0.01)


async def test_a_long_wait_never_reports_done_early_nor_the_same_value_twice() -> None:
    import asyncio

    from entrypoints.catalog.operation import Call
    from entrypoints.catalog.progress import tracked

    seen: list[float] = []

    async def report(progress: float, total: float | None, message: str | None) -> None:
        seen.append(progress)

    call = Call(services=None, caller=None, progress=report)  # type: ignore[arg-type]
    assert await tracked(call, "slow", asyncio.sleep(0.35, "ok"), interval=0.004) == "ok"
    assert seen[-1] == 1.0 and all(value < 1.0 for value in seen[:-1])  # ~85 intervals
    assert seen == sorted(seen) and len(set(seen)) == len(seen)

"""Snapshots served from shared live lines: the whole service on the embedded simulator."""

from __future__ import annotations

import asyncio

import httpx

from entrypoints.bootstrap import build_app
from entrypoints.settings import settings_from_env
from tests.servers import serving

LIMIT = 20.0
AAPL, MSFT, NVDA = 265598, 272093, 4815747
REQ_MKT_DATA = "1"


async def _ready(http: httpx.AsyncClient) -> None:
    async with asyncio.timeout(LIMIT):
        while (await http.get("/health")).status_code != 200:  # noqa: ASYNC110 - polling HTTP
            await asyncio.sleep(0.05)


async def test_repeated_snapshots_ask_ib_once_and_say_how_old_they_are(tmp_path):
    settings = settings_from_env({}, request_timeout=5.0, audit_file=tmp_path / "audit.jsonl",
                                 market_data_lines=2)  # fmt: skip
    app = build_app(settings)
    async with (
        serving(app, limit=LIMIT) as url,
        httpx.AsyncClient(base_url=url, timeout=LIMIT) as http,
    ):
        await _ready(http)
        simulator = app.state["assembly"].runtime.simulator
        before = simulator.requests[REQ_MKT_DATA]
        quotes = [
            (await http.get("/ibkr/market_data/snapshot", params={"contract_id": AAPL})).json()
            for _ in range(20)
        ]
        assert simulator.requests[REQ_MKT_DATA] - before == 1  # one line, twenty answers
        assert all(q["contract_id"] == AAPL and q["bid"] > 0 for q in quotes)
        assert all(q["age_seconds"] >= 0 and q["market_data_type"] == "live" for q in quotes)
        # a third symbol with a budget of two lines: the least recently used idle one goes
        for con_id in (MSFT, NVDA):
            answer = await http.get("/ibkr/market_data/snapshot", params={"contract_id": con_id})
            assert answer.status_code == 200, answer.text
        lines = app.state["assembly"].services.streams.lines
        assert lines.get(AAPL) is None and lines.get(MSFT) is not None
        assert lines.stats().open == 2
        # lines held at IB: what the service holds, no more
        sessions = simulator.sessions()
        assert sum(len(s.market.streams) for s in sessions) == 2

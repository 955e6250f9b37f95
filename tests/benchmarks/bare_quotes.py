"""The floor for quotes: a bare Litestar app serving ib_async's live tickers from memory.

It connects ib_async straight to the simulator, subscribes (``reqMktData``, streaming) to the
given contracts and answers ``GET /quote?contract_id=N`` with the ticker's current prices as
our ``Quote`` struct: what a hand-written app holding its own lines costs, with nothing of the
service around it. ``GET /health`` answers 200 once every ticker has a price. Started by
``live_market_data.py``.

    python tests/benchmarks/bare_quotes.py --port 8002 --ib-port 4002 --contract-ids 265598,...
"""

from __future__ import annotations

import argparse
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import uvicorn
from ib_async import IB, Contract, Ticker
from litestar import Litestar, Response, get

from domain.market_data import Quote


def _num(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) or value == -1 else value


def build(ib_port: int, contract_ids: list[int]) -> Litestar:
    ib = IB()
    tickers: dict[int, Ticker] = {}

    @asynccontextmanager
    async def connected(_app: Litestar) -> AsyncIterator[None]:
        await ib.connectAsync("127.0.0.1", ib_port, clientId=91)
        for con_id in contract_ids:
            [contract] = await ib.qualifyContractsAsync(Contract(conId=con_id))
            tickers[con_id] = ib.reqMktData(contract)
        try:
            yield
        finally:
            ib.disconnect()

    @get("/health", sync_to_thread=False)
    def health() -> Response[str]:
        ready = tickers and all(_num(t.bid) is not None for t in tickers.values())
        return Response("ok" if ready else "warming", status_code=200 if ready else 503)

    @get("/quote", sync_to_thread=False)
    def quote(contract_id: int) -> Quote:
        t = tickers[contract_id]
        return Quote(
            symbol=t.contract.symbol if t.contract else "",
            last_price=_num(t.last), bid=_num(t.bid), ask=_num(t.ask),
            bid_size=_num(t.bidSize), ask_size=_num(t.askSize), volume=_num(t.volume),
            open=_num(t.open), high=_num(t.high), low=_num(t.low), close=_num(t.close),
            timestamp=t.time or datetime.now(UTC), contract_id=contract_id,
        )  # fmt: skip

    return Litestar([health, quote], lifespan=[connected], logging_config=None)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ib-port", type=int, required=True)
    parser.add_argument("--contract-ids", required=True)
    args = parser.parse_args()
    ids = [int(x) for x in args.contract_ids.split(",")]
    app = build(args.ib_port, ids)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()

"""Read-only resources: the account, its open orders and live quotes as JSON documents.

With a live feed, ``ibkr://quotes/{contract_id}``, ``ibkr://orders/open`` and
``ibkr://account/positions`` can be subscribed to (``watch.py``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from fastmcp import FastMCP
from fastmcp.exceptions import ResourceError

from application.container import Services
from domain.contract import ContractQuery
from domain.errors import DomainError
from entrypoints.mcp.errors import explain

JSON = "application/json"


def add_resources(mcp: FastMCP, services: Services) -> None:
    def publish(uri: str, name: str, description: str, read: Callable[[], Awaitable[Any]]) -> None:
        async def reader() -> str:
            try:
                value = await read()
            except DomainError as exc:
                raise ResourceError(explain(exc)) from None
            return msgspec.json.encode(value).decode()

        mcp.resource(uri, name=name, description=description, mime_type=JSON)(reader)

    publish(
        "ibkr://account/summary",
        "account_summary",
        "Headline figures of the default account (as the get_account_summary tool returns).",
        services.account.summary,
    )
    publish(
        "ibkr://account/positions",
        "positions",
        "The default account's positions, a JSON array (as get_positions lists them).",
        services.account.positions,
    )
    publish(
        "ibkr://orders/open",
        "open_orders",
        "Orders still working at the broker, a JSON array (as get_open_orders lists them).",
        services.trading.open_orders,
    )

    async def quote(contract_id: int) -> str:
        try:
            value = await services.market_data.snapshot(ContractQuery(con_id=contract_id))
        except DomainError as exc:
            raise ResourceError(explain(exc)) from None
        return msgspec.json.encode(value).decode()

    mcp.resource(
        "ibkr://quotes/{contract_id}",
        name="quote",
        description="The current quote of a contract (as get_market_data_snapshot answers it, "
        "with its age). Subscribe to be told when it changes (at most every 250 ms).",
        mime_type=JSON,
    )(quote)

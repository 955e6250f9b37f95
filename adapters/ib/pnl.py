"""The portfolio and IB's live profit and loss (reqPnL, reqPnLSingle).

ib_async keeps the portfolio live (account updates, subscribed at connect). PnL is a
subscription too: the first call for an account or a contract subscribes, waits for IB's first
figures, and leaves the subscription running, so later calls read the live figures at once.
A new session starts without any (ib_async forgets them on reconnect); at most
``MAX_POSITION_SUBSCRIPTIONS`` contracts are followed, the least recently asked go first.
"""

from __future__ import annotations

import asyncio
import math
from collections import OrderedDict
from collections.abc import Callable

import ib_async
from ib_async import IB

from adapters.ib import errors, mapping
from adapters.ib.account import IbAccount
from adapters.ib.calls import IbCalls
from domain.account import AccountPnl, PortfolioItem, PositionPnl
from domain.errors import BrokerTimeout

MAX_POSITION_SUBSCRIPTIONS = 50
_POLL = 0.02


class IbPnl:
    def __init__(self, calls: IbCalls, account: IbAccount) -> None:
        self._calls = calls
        self._account = account
        self._singles: OrderedDict[tuple[str, str, int], None] = OrderedDict()

    async def portfolio(self, account_id: str | None) -> list[PortfolioItem]:
        ib = self._calls.require()
        account = self._account.account_of(ib, account_id)
        return [portfolio_item(item) for item in ib.portfolio(account) if item.position]

    async def account_pnl(self, account_id: str | None) -> AccountPnl:
        ib = self._calls.require()
        account = self._account.account_of(ib, account_id)
        req_id = ib.wrapper.pnlKey2ReqId.get((account, ""))
        created = req_id is None
        if req_id is None:
            try:
                ib.reqPnL(account)
            except ConnectionError as exc:
                raise errors.translate(exc, "the account's PnL") from exc
            req_id = ib.wrapper.pnlKey2ReqId[(account, "")]
        pnl = ib.wrapper.reqId2PnL[req_id]

        def cancel() -> None:
            # only a subscription this call made: the account-event stream may hold this one
            if created:
                ib.cancelPnL(account)

        await self._first(ib, req_id, lambda: not math.isnan(pnl.dailyPnL), "the account's PnL",
                          cancel=cancel)  # fmt: skip
        return AccountPnl(
            account_id=account,
            daily_pnl=mapping.number(pnl.dailyPnL),
            unrealized_pnl=mapping.number(pnl.unrealizedPnL),
            realized_pnl=mapping.number(pnl.realizedPnL),
        )

    async def position_pnl(self, account_id: str | None, contract_id: int) -> PositionPnl:
        ib = self._calls.require()
        account = self._account.account_of(ib, account_id)
        key = (account, "", contract_id)
        req_id = ib.wrapper.pnlSingleKey2ReqId.get(key)
        if req_id is None:
            ib.reqPnLSingle(*key)
            req_id = ib.wrapper.pnlSingleKey2ReqId[key]
        self._follow(ib, key)
        single = ib.wrapper.reqId2PnlSingle[req_id]
        what = f"the PnL of contract {contract_id}"
        await self._first(ib, req_id, lambda: not math.isnan(single.dailyPnL), what,
                          cancel=lambda: self._unfollow(ib, key))  # fmt: skip
        return PositionPnl(
            account_id=account,
            contract_id=contract_id,
            position=float(single.position),
            daily_pnl=mapping.number(single.dailyPnL),
            unrealized_pnl=mapping.number(single.unrealizedPnL),
            realized_pnl=mapping.number(single.realizedPnL),
            market_value=mapping.number(single.value),
        )

    def _follow(self, ib: IB, key: tuple[str, str, int]) -> None:
        self._singles[key] = None
        self._singles.move_to_end(key)
        while len(self._singles) > MAX_POSITION_SUBSCRIPTIONS:
            self._unfollow(ib, next(iter(self._singles)))

    def _unfollow(self, ib: IB, key: tuple[str, str, int]) -> None:
        self._singles.pop(key, None)
        if key in ib.wrapper.pnlSingleKey2ReqId:
            ib.cancelPnLSingle(*key)

    async def _first(
        self, ib: IB, req_id: int, ready: Callable[[], bool], what: str, cancel: Callable[[], None]
    ) -> None:
        """Wait for IB's first figures of a subscription (at once when it already has them); a
        subscription IB refused or never answered is cancelled, so a later call asks again."""
        limit = self._calls.settings.request_timeout
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        with self._calls.supervisor.watch(req_id) as watch:
            while not ready():
                failure = next((e for e in watch.errors if not errors.is_warning(e[0])), None)
                if failure is not None or loop.time() >= deadline:
                    if ib.isConnected():
                        cancel()
                    if failure is not None:
                        raise errors.to_domain(failure[0], failure[1], what)
                    raise BrokerTimeout(f"The IB Gateway did not answer {what} within {limit:g} s")
                self._calls.require()  # NotConnected once the session dropped
                await asyncio.sleep(_POLL)


def portfolio_item(item: ib_async.PortfolioItem) -> PortfolioItem:
    held = mapping.position(item.contract, item.position, item.averageCost, item)
    return PortfolioItem(
        account_id=item.account,
        contract_id=held.contract_id,
        symbol=held.symbol,
        sec_type=held.asset_class,
        currency=item.contract.currency,
        position=held.position,
        market_price=held.market_price,
        market_value=held.market_value,
        average_cost=held.average_cost,
        unrealized_pnl=held.unrealized_pnl,
        realized_pnl=held.realized_pnl,
        expiry=held.expiry,
        strike=held.strike,
        right=held.right,
        multiplier=held.multiplier,
    )

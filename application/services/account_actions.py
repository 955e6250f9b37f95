"""Account-wide order actions through the order desk: cancel every open order.

IB's global cancel (reqGlobalCancel) cancels the open orders of every client of the account
and of TWS itself, not only this service's. The answer lists the orders that were open before,
and what became of each: an order this service cannot follow (another client's) counts as
cancelled once IB no longer lists it as open.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import msgspec

from application.group_ports import OrderGroupBroker
from application.ports import Broker, Clock
from application.services.guardrails import OrderGuard
from application.services.order_desk import OrderDesk, Outcome
from domain.account_actions import CancelAllResult, CancelledOrder
from domain.errors import InvalidRequest, OpenOrdersChanged
from domain.safety import Caller

SETTLE_SECONDS = 10.0
_POLL = 0.1


def order_key(order: Any) -> int | str:
    """What names one open order of the account: IB's permanent id; else the client's id and
    its order id (ids repeat across clients, and TWS's own orders are all numbered 0)."""
    return order.perm_id or f"{order.client_id}:{order.order_id}"


class AccountActions:
    def __init__(
        self,
        *,
        desk: OrderDesk,
        broker: Broker,
        groups: OrderGroupBroker,
        guard: OrderGuard,
        clock: Clock,
        settle_seconds: float = SETTLE_SECONDS,
    ) -> None:
        self._desk = desk
        self._broker = broker
        self._groups = groups
        self._guard = guard
        self._clock = clock
        self._settle = settle_seconds

    async def cancel_all(
        self, caller: Caller, *, confirm: bool, expected: Collection[int | str] | None = None
    ) -> CancelAllResult:
        """Cancel every open order of the account (``confirm`` must be True).

        ``expected``: the orders the caller saw (and a person confirmed), by ``order_key``:
        perm ids, or ``"client_id:order_id"`` for an order without one. IB's global cancel
        cannot spare an order, so when others are open by now nothing is cancelled and
        ``OpenOrdersChanged`` names them: a yes given to a list stands for that list only.
        """

        async def work(outcome: Outcome) -> CancelAllResult:
            self._guard.check_writable()
            if not confirm:
                raise InvalidRequest(
                    "Cancelling every open order of the account (of every client, TWS too) "
                    "needs confirm: true",
                    field="confirm",
                )
            before = await self._broker.open_orders()
            if expected is not None:
                unseen = [o for o in before if order_key(o) not in set(expected)]
                if unseen:
                    said = ", ".join(f"{o.order_id} {o.symbol}" for o in unseen[:20])
                    raise OpenOrdersChanged(
                        f"{len(unseen)} open order(s) were not in the list confirmed ({said}); "
                        "nothing was cancelled: look at the open orders again and confirm the "
                        "list as it is now",
                        unseen_order_ids=[o.order_id for o in unseen[:100]],
                        unseen_perm_ids=[o.perm_id for o in unseen[:100]],
                    )
            outcome.checking = False
            await self._groups.global_cancel()
            still = await self._wait(before)
            orders = []
            for order in before:
                final = "Cancelled"
                if order.order_id in still:
                    final = still[order.order_id]
                else:
                    mine = await self._broker.order_status(order.order_id)
                    if mine is not None and mine.status == "Filled":
                        final = "Filled"
                orders.append(CancelledOrder(order=order, final_status=final))
            result = CancelAllResult(orders=orders, count=len(orders), complete=not still)
            outcome.result = msgspec.to_builtins(result)
            return result

        request: dict[str, Any] = {"confirm": confirm}
        if expected is not None:
            request["expected_perm_ids"] = sorted(map(str, expected))
        return await self._desk.audited(caller, "cancel_all", request, work)

    async def _wait(self, before: list[Any]) -> dict[int, str]:
        """The orders of ``before`` still open once IB settled (or the time is up)."""
        wanted = {(o.perm_id, o.order_id) for o in before}
        give_up = self._clock.monotonic() + self._settle
        while True:
            now = await self._broker.open_orders()
            still = {o.order_id: o.status for o in now if (o.perm_id, o.order_id) in wanted}
            if not still or self._clock.monotonic() >= give_up:
                return still
            await self._clock.sleep(_POLL)

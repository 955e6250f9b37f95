"""The order desk for OCA groups: every member through the same rules as a single order.

Each member is a complete order (checked against every guardrail, its value included); when
previews are required, each member needs the token ``preview_order`` gave for it, in the
group's order. The group is one entry of the order journal (``GroupTrading``).
"""

from __future__ import annotations

import secrets
from typing import Any

import msgspec
from msgspec import UNSET

from application.ports import Broker
from application.services.contracts import ContractService
from application.services.guardrails import OrderGuard
from application.services.order_desk import OrderDesk, Outcome
from application.services.order_groups import GroupTrading
from application.services.previews import PreviewBook, token_ref
from application.services.trading import sent_nothing
from domain.brackets import OcaRequest, OcaResult
from domain.errors import DomainError, InvalidRequest, PreviewRequired
from domain.safety import Caller, TradingPolicy


class OcaDesk:
    def __init__(
        self,
        *,
        desk: OrderDesk,
        groups: GroupTrading,
        contracts: ContractService,
        broker: Broker,
        guard: OrderGuard,
        previews: PreviewBook,
        policy: TradingPolicy,
    ) -> None:
        self._desk = desk
        self._groups = groups
        self._contracts = contracts
        self._broker = broker
        self._guard = guard
        self._previews = previews
        self._policy = policy

    async def place(
        self, group: OcaRequest, caller: Caller, *, confirmation_tokens: list[str] | None = None
    ) -> OcaResult:
        request: dict[str, Any] = {"oca": msgspec.to_builtins(group)}
        if confirmation_tokens:
            request["confirmation_refs"] = [token_ref(t) for t in confirmation_tokens]

        async def work(outcome: Outcome) -> OcaResult:
            key = group.client_order_id
            name = group.oca_group or (f"oca:{key}" if key else f"oca:{secrets.token_hex(6)}")
            contracts = [await self._contracts.resolve(o.contract_query()) for o in group.orders]
            for order, contract in zip(group.orders, contracts, strict=True):
                await self._guard.check(order, contract)
            account = await self._broker.order_account(group.orders[0].account_id)
            tokens = confirmation_tokens or []
            if tokens and len(tokens) != len(group.orders):
                raise InvalidRequest(
                    "Give one confirmation token per order, in the group's order",
                    field="confirmation_tokens",
                )
            if not tokens:
                live = await self._guard.account_is_live()
                if self._policy.requires_preview(caller, live_account=live):
                    raise PreviewRequired(
                        "Preview each order of the group (preview_order), then place the group "
                        "with their confirmation tokens (confirmation_tokens, in order)",
                        rule="require_preview",
                    )
            slots = self._guard.take_slots(len(group.orders))
            try:
                if tokens and not await self._groups.already_placed(account, key):
                    for token, order, contract in zip(tokens, group.orders, contracts,
                                                      strict=False):  # fmt: skip
                        self._previews.redeem(token, order, contract)
            except DomainError:
                for slot in slots:
                    self._guard.release(slot)
                raise
            outcome.checking = False
            legs = list(zip(contracts, group.legs(name), strict=True))
            terms = {"kind": "oca", **msgspec.to_builtins(group), "account_id": account}
            terms.pop("client_order_id", None)
            try:
                results, duplicate = await self._groups.place(legs, account, key, terms)
            except DomainError as exc:
                if sent_nothing(exc):
                    for slot in slots:
                        self._guard.release(slot)
                raise
            if duplicate:
                for slot in slots:
                    self._guard.release(slot)
            answer = OcaResult(
                oca_group=name,
                oca_type=group.oca_type,
                orders=results,
                client_order_id=key if key else UNSET,
                duplicate=True if duplicate else UNSET,
            )
            outcome.result = msgspec.to_builtins(answer)
            outcome.order_id = results[0].order_id
            return answer

        return await self._desk.audited(caller, "place_oca", request, work)

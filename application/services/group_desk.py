"""The order desk for brackets: the same policy, guardrails, previews and audit trail as a
single order, applied to every order of the bracket.

Each leg is checked against every rule but the order value, which is checked once for the
bracket: its entry's (the exits only close the position the entry opens). A bracket counts as
as many orders against the per-minute limit as it has legs.
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
from application.services.previews import PreviewBook, order_fingerprint, token_ref
from application.services.trading import _merge_key, sent_nothing
from domain.brackets import BracketRequest, BracketResult, GroupLeg
from domain.contract import Contract
from domain.errors import DomainError, InvalidRequest, PreviewRequired
from domain.group_preview import BracketPreview, LegPreview
from domain.orders import OrderRequest
from domain.safety import Caller, TradingPolicy


class GroupDesk:
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

    async def preview_bracket(self, bracket: BracketRequest, caller: Caller) -> BracketPreview:
        """IB's what-if for every order of the bracket, and a token to place exactly it."""

        async def work(outcome: Outcome) -> BracketPreview:
            contract, legs = await self._checked(bracket)
            for _ in legs:
                self._guard.take_preview_slot()
            outcome.checking = False
            checks = [
                LegPreview(
                    role=leg.role,
                    order=leg.order,
                    what_if=await self._broker.what_if(contract, leg.order),
                )
                for leg in legs
            ]
            token, expires_at = self._previews.issue_for(_fingerprint(bracket, contract, legs))
            preview = _summary(contract, checks, token, expires_at)
            result = msgspec.to_builtins(preview)
            result.pop("confirmation_token")
            outcome.result = result | {"confirmation_ref": token_ref(token)}
            return preview

        request = {"bracket": msgspec.to_builtins(bracket)}
        return await self._desk.audited(caller, "preview_bracket", request, work)

    async def place_bracket(
        self,
        bracket: BracketRequest,
        caller: Caller,
        *,
        idempotency_key: str | None = None,
        confirmation_token: str | None = None,
    ) -> BracketResult:
        """Place the bracket once every rule allows every order of it; idempotent as a unit."""
        entry = _merge_key(bracket.entry, idempotency_key)
        bracket = msgspec.structs.replace(bracket, entry=entry)
        request: dict[str, Any] = {"bracket": msgspec.to_builtins(bracket)}
        if confirmation_token:
            request["confirmation_ref"] = token_ref(confirmation_token)

        async def work(outcome: Outcome) -> BracketResult:
            key = entry.client_order_id
            oca = f"bracket:{key}" if key else f"bracket:{secrets.token_hex(6)}"
            contract, legs = await self._checked(bracket, oca)
            account = await self._broker.order_account(entry.account_id)
            await self._check_preview(caller, confirmation_token)
            slots = self._guard.take_slots(len(legs))
            try:
                if confirmation_token is not None and not await self._groups.already_placed(
                    account, key
                ):
                    self._previews.redeem_for(
                        confirmation_token, _fingerprint(bracket, contract, legs)
                    )
            except DomainError:
                self._release(slots)
                raise
            outcome.checking = False
            terms = _terms(bracket, account)
            try:
                results, duplicate = await self._groups.place(
                    [(contract, leg) for leg in legs], account, key, terms
                )
            except DomainError as exc:
                if sent_nothing(exc):
                    self._release(slots)
                raise
            if duplicate:
                self._release(slots)
            answer = BracketResult(
                parent=results[0],
                take_profit=results[1] if len(results) == 3 else None,
                stop_loss=results[-1],
                oca_group=oca,
                client_order_id=key if key else UNSET,
                duplicate=True if duplicate else UNSET,
            )
            outcome.result = msgspec.to_builtins(answer)
            outcome.order_id = results[0].order_id
            return answer

        return await self._desk.audited(caller, "place_bracket", request, work)

    async def account_of(self, account_id: str | None) -> str:
        """The account an order for ``account_id`` (None: the default) is placed in."""
        return await self._broker.order_account(account_id)

    async def _checked(
        self, bracket: BracketRequest, oca: str = "preview"
    ) -> tuple[Contract, list[GroupLeg]]:
        """The contract and the priced legs, each leg through the guardrails."""
        entry = bracket.entry
        contract = await self._contracts.resolve(entry.contract_query())
        legs = bracket.legs(await self._reference(entry, contract), oca)
        for leg in legs:
            await self._guard.check(leg.order, contract, notional=leg.role == "parent")
        await self._broker.order_account(entry.account_id)
        return contract, legs

    async def _reference(self, entry: OrderRequest, contract: Contract) -> float:
        """The entry's price: its limit, or for a market order the market's (last, else mid)."""
        if entry.limit_price is not None:
            return entry.limit_price
        quote = await self._broker.snapshot(contract)
        mid = (quote.bid + quote.ask) / 2 if quote.bid and quote.ask else None
        price = quote.last_price or mid
        if not price:
            raise InvalidRequest(
                f"No price for {contract.symbol} to place the exits from; give the entry a "
                "limit_price, or the exits as prices",
                field="limit_price",
            )
        return price

    async def _check_preview(self, caller: Caller, token: str | None) -> None:
        if token is not None:
            return
        live = await self._guard.account_is_live()
        if self._policy.requires_preview(caller, live_account=live):
            raise PreviewRequired(
                "Preview the bracket first (preview_bracket_order), then place the identical "
                "bracket with the confirmation_token it returns",
                rule="require_preview",
            )

    def _release(self, slots: list[float]) -> None:
        for slot in slots:
            self._guard.release(slot)


def _fingerprint(
    bracket: BracketRequest, contract: Contract, legs: list[GroupLeg]
) -> dict[str, Any]:
    """What a confirmation token stands for: the request and the exits' prices as priced.
    Exits given as an offset from a market entry are priced from the quote: if it moved
    between preview and placing, the prices differ and the token does not apply."""
    exits = msgspec.to_builtins(bracket)
    exits.pop("entry")
    priced = [[leg.role, leg.order.limit_price, leg.order.stop_price] for leg in legs]
    return order_fingerprint(bracket.entry, contract) | {"exits": exits, "priced": priced}


def _terms(bracket: BracketRequest, account: str) -> dict[str, Any]:
    terms: dict[str, Any] = msgspec.to_builtins(bracket)
    terms["entry"].pop("client_order_id", None)
    terms["entry"]["account_id"] = account
    return {"kind": "bracket", **terms}


def _summary(
    contract: Contract, legs: list[LegPreview], token: str, expires_at: Any
) -> BracketPreview:
    entry = legs[0].what_if
    exits = [leg.what_if.commission for leg in legs[1:] if leg.what_if.commission is not None]
    commission = None
    if entry.commission is not None:
        commission = entry.commission + (max(exits) if exits else 0.0)
    warnings = "; ".join(leg.what_if.warning_text for leg in legs if leg.what_if.warning_text)
    return BracketPreview(
        contract=contract,
        legs=legs,
        commission=commission,
        commission_currency=entry.commission_currency,
        init_margin_change=entry.init_margin_change,
        init_margin_after=entry.init_margin_after,
        maint_margin_change=entry.maint_margin_change,
        maint_margin_after=entry.maint_margin_after,
        equity_with_loan_change=entry.equity_with_loan_change,
        equity_with_loan_after=entry.equity_with_loan_after,
        warning_text=warnings or None,
        confirmation_token=token,
        expires_at=expires_at,
    )

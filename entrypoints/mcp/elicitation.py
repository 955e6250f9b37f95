"""The human in the loop: order tools ask the person at the MCP client before acting.

When the client declared the elicitation capability and the session can carry a request from
server to client (stdio, stateful HTTP; not stateless HTTP, not the 2026 protocol era), the
order tools first show the order in plain words, with IB's what-if commission and margin and
the account, and act only on an explicit yes. The what-if is a real preview: its token is
what the tool then places with, so a yes stands for exactly the order shown. A no (or a
dismissed dialog) is a tool error and an audit entry. Clients without elicitation keep the
preview-token flow (``preview_order`` then ``place_order`` with ``confirmation_token``).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import msgspec
from fastmcp.server.dependencies import get_context
from fastmcp.server.elicitation import AcceptedElicitation
from mcp.types import ClientCapabilities, ElicitationCapability

from application.container import Services
from application.services.account_actions import order_key
from domain.confirmation import ConfirmationDeclined
from domain.contract import ContractQuery
from domain.safety import Caller, OrderOperation
from entrypoints.catalog.operation import Operation, offered

log = logging.getLogger("ibkr_mcp.mcp")
# The tools that ask, and the audit trail's name for what they do.
# Seconds a human has to answer a confirmation question; no answer is a no.
ANSWER_SECONDS = 120.0

ASKING: dict[str, OrderOperation] = {
    "place_order": "place",
    "modify_order": "modify",
    "place_bracket_order": "place_bracket",
    "cancel_all_orders": "cancel_all",
    "exercise_option": "exercise",
}


def _context() -> Any:
    try:
        ctx = get_context()
        session = ctx.session
    except RuntimeError:
        return None
    if ctx.request_context is None or ctx._is_modern_protocol():
        return None
    wanted = ClientCapabilities(elicitation=ElicitationCapability())
    return ctx if session.check_client_capability(wanted) else None


async def confirm(
    op: Operation, args: Any, extras: dict[str, Any], services: Services, caller: Caller
) -> dict[str, Any]:
    """The extras to call the tool with once the human said yes (with the preview's token);
    unchanged when the client cannot be asked. Raises ``ConfirmationDeclined`` on a no."""
    operation = ASKING.get(op.name)
    if operation is None:
        return extras
    ctx = _context()
    if ctx is None:
        return extras
    message, token, shown = await _describe(op.name, args, services, caller)
    try:
        # A question nobody answers must not hold the call open, nor let a late "yes" act on
        # whatever the orders and positions are by then.
        async with asyncio.timeout(ANSWER_SECONDS):
            answer = await ctx.elicit(message, bool, response_title="Go ahead?")
    except TimeoutError:
        answer = None
    if isinstance(answer, AcceptedElicitation) and answer.data is True:
        if shown is not None:  # cancel-all: the yes covers the orders listed, no others
            return {**extras, "shown_orders": shown}
        return {**extras, "confirmation_token": token} if token else extras
    if answer is None:
        said = f"did not answer within {ANSWER_SECONDS:g} s on"
    else:
        said = "declined" if isinstance(answer, AcceptedElicitation) else answer.action
    await _record(services, caller, operation, op.name, args, said)
    raise ConfirmationDeclined(
        f"The user {said} {op.name}; nothing was sent to IB. Do not retry unless they ask"
    )


async def _describe(
    name: str, args: Any, services: Services, caller: Caller
) -> tuple[str, str, list[int | str] | None]:
    """The question, the preview's token, and (cancel-all) the order ids the question lists."""
    if name == "place_order":
        preview = await services.desk.preview(args.order(), caller)
        order, what = preview.order, preview
        words = _order_words(order, preview.contract.symbol)
        account = await _account(services, order.account_id)
        return _with_cost(words, what, account), preview.confirmation_token, None
    if name == "place_bracket_order":
        bracket = await offered(services.groups, "bracket orders").preview_bracket(
            args.bracket(), caller
        )
        legs = "; ".join(
            f"{leg.role.replace('_', '-')}: {_order_words(leg.order, bracket.contract.symbol)}"
            for leg in bracket.legs
        )
        account = await _account(services, bracket.legs[0].order.account_id)
        return (
            _with_cost(f"Bracket — {legs}", bracket, account),
            bracket.confirmation_token,
            None,
        )
    if name == "modify_order":
        changes = ", ".join(f"{k} → {v}" for k, v in _given(args).items() if k != "order_id")
        account = await _account(services, None)
        return f"Change order {args.order_id} (account {account}): {changes}.", "", None
    if name == "exercise_option":
        return await _exercise_words(args, services), "", None
    orders = await services.trading.open_orders()
    listed = "; ".join(
        f"{o.order_id} {o.action} {o.quantity:g} {o.symbol} {o.order_type}" for o in orders
    )
    account = await _account(services, None)
    return (
        f"Cancel ALL {len(orders)} open orders of account {account} (every program's): "
        f"{listed or 'none open now'}.",
        "",
        [order_key(o) for o in orders],
    )


async def _exercise_words(args: Any, services: Services) -> str:
    contract = await services.contracts.resolve(ContractQuery(con_id=args.contract_id))
    account = await _account(services, args.account_id)
    name = contract.local_symbol or f"{contract.symbol} option {args.contract_id}"
    if args.action == "lapse":
        return f"Let {args.quantity} {name} lapse (give them up for nothing), account {account}."
    side = "BUY" if contract.right.upper().startswith("C") else "SELL"
    shares = args.quantity * (float(contract.multiplier or 1) or 1.0)
    return (
        f"Exercise {args.quantity} {name}, account {account}: {side} {shares:g} "
        f"{contract.symbol} at {contract.strike:g} {contract.currency}"
        + (" (override of IB's automatic action)" if args.override else "")
        + "."
    )


async def _account(services: Services, account_id: str | None) -> str:
    return await offered(services.groups, "bracket orders").account_of(account_id)


def _order_words(order: Any, symbol: str) -> str:
    price = ""
    if order.limit_price is not None:
        price += f" limit {order.limit_price:g}"
    if order.stop_price is not None:
        price += f" stop {order.stop_price:g}"
    return f"{order.action} {order.quantity:g} {symbol} {order.order_type}{price} " + (
        f"{order.time_in_force}"
    )


def _with_cost(words: str, what: Any, account: str) -> str:
    def money(value: float | None) -> str:
        return "unknown" if value is None else f"{value:,.2f}"

    currency = what.commission_currency or ""
    return (
        f"{words}. Account {account}. IB's what-if: commission "
        f"{money(what.commission)} {currency}, initial margin change "
        f"{money(what.init_margin_change)}, maintenance margin change "
        f"{money(what.maint_margin_change)}."
        + (f" IB warns: {what.warning_text}" if what.warning_text else "")
    )


def _given(args: Any) -> dict[str, Any]:

    return {k: v for k, v in msgspec.structs.asdict(args).items() if v is not None}


async def _record(
    services: Services,
    caller: Caller,
    operation: OrderOperation,
    tool: str,
    args: Any,
    said: str,
) -> None:
    """The decline in the audit trail (as a failed action of its kind, error code
    declined_by_user)."""

    async def work(_outcome: Any) -> None:
        raise ConfirmationDeclined(f"The user {said} {tool} when asked to confirm it")

    request = {"tool": tool, "arguments": msgspec.to_builtins(args)}
    try:
        await services.desk.audited(caller, operation, request, work)
    except ConfirmationDeclined:
        log.info("mcp tool %s: declined by the user", tool)

"""Exercising an option position, or letting it lapse: ib_async's ``exerciseOptions``.

IB sends no answer of its own to the instruction: a refusal comes as an error on the request
id, success as position, portfolio and account updates. So we watch both, bounded by the
request time limit. Real IB usually processes exercises after the close; when the positions
have not changed by then and IB sent no error, the answer says the instruction is submitted.
"""

from __future__ import annotations

import asyncio
import contextlib

from ib_async import IB

from adapters.ib import errors, mapping
from adapters.ib.calls import IbCalls
from domain.contract import Contract
from domain.errors import DomainError, NotConnected, OrderRejected, RateLimited, ReadOnly
from domain.exercise import ExerciseAction, ExerciseResult, ExerciseStatus

_ACTIONS = {"exercise": 1, "lapse": 2}
# After the option's row changed, how long the row of the delivered underlying may lag
# (the same batch of updates; cash-settled index options deliver none).
_DELIVERY_GRACE = 1.0


class IbExercise:
    def __init__(self, calls: IbCalls) -> None:
        self._calls = calls

    async def exercise(
        self,
        contract: Contract,
        action: ExerciseAction,
        quantity: int,
        account_id: str,
        override: bool,
    ) -> ExerciseResult:
        if self._calls.settings.readonly:
            raise ReadOnly("This service runs read-only: options cannot be exercised")
        ib = self._calls.require(trading=True)
        managed = ib.managedAccounts()
        account = account_id or (managed[0] if len(managed) == 1 else "")
        before = _held(ib, account, contract.symbol)
        option_before = before.get(contract.con_id, 0.0)
        changed = asyncio.Event()

        def on_position(position: object) -> None:
            changed.set()

        ib.positionEvent += on_position
        req_id = ib.client.getReqId()
        limit = self._calls.settings.request_timeout
        loop = asyncio.get_running_loop()
        try:
            with self._calls.supervisor.watch(req_id) as watch:
                try:
                    ib.client.exerciseOptions(  # type: ignore[no-untyped-call]
                        req_id,
                        mapping.to_ib_contract(contract),
                        _ACTIONS[action],
                        int(quantity),
                        account,
                        int(override),
                    )
                except ConnectionError as exc:
                    unsent = errors.translate(exc, f"the {action} instruction")
                    unsent.details["sent"] = False  # nothing left this process
                    raise unsent from exc
                deadline = loop.time() + limit
                option_done_at: float | None = None
                while True:
                    for code, text in watch.errors:
                        if not errors.is_warning(code):
                            raise _refused(code, text, action, quantity, contract)
                    now = _held(ib, account, contract.symbol)
                    if option_done_at is None and now.get(contract.con_id, 0.0) != option_before:
                        option_done_at = loop.time()
                        deadline = min(deadline, option_done_at + _DELIVERY_GRACE)
                    if option_done_at is not None and (
                        action == "lapse" or _others_moved(before, now, contract.con_id)
                    ):
                        break
                    remaining = deadline - loop.time()
                    if remaining <= 0:
                        break
                    changed.clear()
                    watch.arrived.clear()
                    await _either(changed, watch.arrived, remaining)
        finally:
            ib.positionEvent -= on_position
        return _result(ib, account, contract, action, option_before, limit)


async def _either(first: asyncio.Event, second: asyncio.Event, within: float) -> None:
    waits = {asyncio.ensure_future(first.wait()), asyncio.ensure_future(second.wait())}
    try:
        await asyncio.wait(waits, timeout=within, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await wait


def _held(ib: IB, account: str, symbol: str) -> dict[int, float]:
    return {
        p.contract.conId: float(p.position)
        for p in ib.positions(account)
        if p.contract.symbol == symbol
    }


def _others_moved(before: dict[int, float], now: dict[int, float], option: int) -> bool:
    ids = (set(before) | set(now)) - {option}
    return any(before.get(i, 0.0) != now.get(i, 0.0) for i in ids)


def _refused(code: int, text: str, action: str, quantity: int, contract: Contract) -> DomainError:
    what = f"the {action} of {quantity} {contract.local_symbol or contract.symbol}"
    error = errors.to_domain(code, text, what)
    if code == 200 or isinstance(error, (ReadOnly, NotConnected, RateLimited)):
        return error
    return OrderRejected(f"IB refused {what}: {text} (IB error {code})", ib_code=code)


def _result(
    ib: IB,
    account: str,
    contract: Contract,
    action: ExerciseAction,
    option_before: float,
    limit: float,
) -> ExerciseResult:
    portfolio = {item.contract.conId: item for item in ib.portfolio(account)}
    held = [p for p in ib.positions(account) if p.contract.symbol == contract.symbol and p.position]
    positions = [
        mapping.position(p.contract, p.position, p.avgCost, portfolio.get(p.contract.conId))
        for p in held
    ]
    after = next((float(p.position) for p in held if p.contract.conId == contract.con_id), 0.0)
    taken = option_before - after
    name = contract.local_symbol or f"{contract.symbol} option {contract.con_id}"
    status: ExerciseStatus
    if taken:
        status, message = "done", f"IB took {taken:g} {name} off the position ({action})"
    else:
        status, message = (
            "submitted",
            f"IB sent no error, and the position has not changed within {limit:g} s: real IB "
            "processes exercise and lapse instructions after the close; get_positions shows "
            "the outcome then",
        )
    return ExerciseResult(
        contract_id=contract.con_id,
        symbol=contract.symbol,
        account_id=account,
        action=action,
        quantity=taken,
        status=status,
        message=message,
        position_before=option_before,
        position_after=after,
        positions_after=positions,
    )

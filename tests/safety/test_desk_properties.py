"""Whatever order a caller sends, the desk answers with a domain error or a result."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.audit.jsonl import JsonlAuditLog
from application.services.contracts import ContractService
from application.services.guardrails import OrderGuard
from application.services.order_desk import OrderDesk
from application.services.previews import PreviewBook
from application.services.trading import TradingService
from domain.errors import DomainError
from domain.orders import OrderRequest
from domain.safety import TradingPolicy
from tests.fakes import FakeBroker, FakeClock
from tests.safety.conftest import AAPL, AAPL_CALL, AGENT, ES, REST

positive = st.one_of(st.integers(1, 10**6), st.floats(min_value=1e-6, allow_infinity=True))


@st.composite
def orders(draw: st.DrawFn) -> dict[str, Any]:
    """Mostly orders the domain accepts (so the desk is exercised), some it does not."""
    order_type = draw(st.sampled_from(["MKT", "LMT", "STP", "STP LMT", "stop_limit", "MOC"]))
    raw: dict[str, Any] = {
        "action": draw(st.sampled_from(["BUY", "sell", "Sell", "short"])),
        "quantity": draw(st.one_of(positive, st.sampled_from([0, -1, float("nan")]))),
        "order_type": order_type,
    }
    if draw(st.booleans()):
        raw["contract_id"] = draw(st.sampled_from([AAPL.con_id, AAPL_CALL.con_id, ES.con_id, 7]))
    else:
        raw["symbol"] = draw(st.sampled_from(["AAPL", "ES", "ZZZZ"]))
        raw["sec_type"] = draw(st.sampled_from(["STK", "FUT", "OPT"]))
    if "LMT" in order_type or "limit" in order_type or draw(st.integers(0, 9)) == 0:
        raw["limit_price"] = draw(positive)
    if "STP" in order_type or "stop" in order_type or draw(st.integers(0, 9)) == 0:
        raw["stop_price"] = draw(positive)
    raw["time_in_force"] = draw(st.sampled_from(["DAY", "GTC", "IOC", "GTD"]))
    if raw["time_in_force"] == "GTD" or draw(st.integers(0, 9)) == 0:
        raw["good_till_date"] = draw(st.sampled_from(["20251231 16:00:00", "tomorrow"]))
    for name, values in (
        ("client_order_id", ["k-1", "k-2", "bad key!"]),
        ("account_id", ["DU1234567", "U1"]),
        ("outside_rth", [True, False]),
    ):
        if draw(st.booleans()):
            raw[name] = draw(st.sampled_from(values))
    return raw


policies = st.builds(
    TradingPolicy,
    read_only=st.booleans(),
    allow_live_trading=st.booleans(),
    require_preview_rest=st.booleans(),
    max_order_quantity=st.one_of(st.none(), st.floats(1, 1000)),
    max_order_notional=st.one_of(st.none(), st.floats(1, 1e6)),
    allowed_sec_types=st.one_of(st.none(), st.just(frozenset({"STK"}))),
    allowed_symbols=st.one_of(st.none(), st.just(frozenset({"AAPL"}))),
    max_orders_per_minute=st.one_of(st.none(), st.integers(1, 3)),
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=orders(), policy=policies, live=st.booleans(), preview_first=st.booleans())
async def test_desk_raises_only_domain_errors(
    tmp_path: Path,
    raw: dict[str, Any],
    policy: TradingPolicy,
    live: bool,
    preview_first: bool,
) -> None:
    try:
        order = msgspec.convert(raw, OrderRequest)
    except (msgspec.ValidationError, DomainError):
        return  # the front doors decode the same way and answer 400
    broker = FakeBroker("U7654321" if live else "DU1234567")
    broker.contracts = [AAPL, AAPL_CALL, ES]
    clock = FakeClock()
    contracts = ContractService(broker)
    audit = JsonlAuditLog(tmp_path / "audit.jsonl")
    desk = OrderDesk(
        trading=TradingService(broker, contracts),
        contracts=contracts,
        broker=broker,
        guard=OrderGuard(policy, broker, clock),
        previews=PreviewBook(clock),
        audit=audit,
        policy=policy,
        clock=clock,
    )
    before = len(await audit.recent(1000))
    token = None
    actions = 0
    for caller in (REST, AGENT):
        if preview_first:
            actions += 1
            with contextlib.suppress(DomainError):
                token = (await desk.preview(order, caller)).confirmation_token
        actions += 1
        try:
            placed = await desk.place(order, caller, confirmation_token=token)
        except DomainError:
            continue
        actions += 1
        with contextlib.suppress(DomainError):
            await desk.cancel(placed.order_id, caller)
    assert len(await audit.recent(1000)) - before == actions

"""Order, execution and commission builders, decoded by ib_async at 178."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from ib_async.util import UNSET_DOUBLE

from adapters.simulated_gateway.model import Fill, OrderRecord, OrderSpec, WhatIf
from adapters.simulated_gateway.tws import messages_orders as om
from tests.simulator.decoding import decode, only_call
from tests.simulator.stub_world import AAPL

pytestmark = pytest.mark.usefixtures("no_decoder_errors")

LMT = OrderSpec(
    order_id=7,
    client_id=3,
    action="BUY",
    total_quantity=100.0,
    order_type="LMT",
    lmt_price=187.25,
    tif="GTC",
    outside_rth=True,
    order_ref="ref-1",
    account="DU1234567",
)


def _record(status: str = "Submitted", filled: float = 0.0) -> OrderRecord:
    return OrderRecord(LMT, AAPL, 555, status, filled, 100.0 - filled, 187.2 if filled else 0.0)


def _fill(pnl: float = float("nan")) -> Fill:
    return Fill(
        "0000e0d5.67a8b9c1.01.01",
        datetime(2025, 3, 3, 15, 0, 1, tzinfo=UTC),
        7,
        3,
        555,
        AAPL,
        "BOT",
        40.0,
        187.2,
        40.0,
        187.2,
        "ref-1",
        "DU1234567",
        1.25,
        "USD",
        pnl,
    )


def test_order_status_round_trips() -> None:
    fields = om.order_status(7, _record("Submitted", 40.0))
    assert len(fields) == 12
    name, args = only_call(fields)
    assert name == "orderStatus"
    assert args == (7, "Submitted", 40.0, 60.0, 187.2, 555, 0, 0.0, 3, "", 0.0)


def test_open_order_is_127_fields_and_round_trips() -> None:
    fields = om.open_order(7, LMT, AAPL, perm_id=555, status="Submitted", account="DU1234567")
    assert len(fields) == 127
    name, (order_id, contract, order, state) = only_call(fields)
    assert (name, order_id) == ("openOrder", 7)
    assert (contract.conId, contract.symbol, contract.exchange) == (265598, "AAPL", "SMART")
    assert (order.action, order.totalQuantity, order.orderType) == ("BUY", 100.0, "LMT")
    assert (order.lmtPrice, order.auxPrice) == (187.25, UNSET_DOUBLE)
    assert (order.tif, order.outsideRth, order.orderRef, order.account) == (
        "GTC",
        True,
        "ref-1",
        "DU1234567",
    )
    assert (order.clientId, order.permId, order.whatIf) == (3, 555, False)
    assert state.status == "Submitted"
    assert order.exemptCode == -1


def test_what_if_open_order_carries_margins() -> None:
    impact = WhatIf("1", "2", "3", "4.5", "5", "6", "7", "8", "9", 1.0, 0.5, 2.0)
    fields = om.open_order(
        9, LMT, AAPL, perm_id=0, status="PreSubmitted", account="DU1", what_if=impact
    )
    assert len(fields) == 127
    _, (_, _, order, state) = only_call(fields)
    assert order.whatIf is True
    assert (state.initMarginBefore, state.initMarginChange, state.equityWithLoanAfter) == (
        "1",
        "4.5",
        "9",
    )
    assert (state.commission, state.minCommission, state.maxCommission) == (1.0, 0.5, 2.0)
    assert state.commissionCurrency == "USD"


def test_open_order_end() -> None:
    assert only_call(om.open_order_end()) == ("openOrderEnd", ())


def test_completed_order_round_trips() -> None:
    fields = om.completed_order(
        _record("Filled", 100.0), account="DU1", completed_time="20250303 15:00:01 UTC"
    )
    assert len(fields) == 96
    name, (contract, order, state) = only_call(fields)
    assert name == "completedOrder"
    assert contract.conId == 265598
    assert (order.permId, order.lmtPrice, order.filledQuantity) == (555, 187.25, 100.0)
    assert (state.status, state.completedStatus, state.completedTime) == (
        "Filled",
        "Filled",
        "20250303 15:00:01 UTC",
    )
    assert only_call(om.completed_orders_end()) == ("completedOrdersEnd", ())


def test_execution_data_is_32_fields_and_round_trips() -> None:
    fields = om.execution_data(-1, 7, _fill())
    assert len(fields) == 32
    name, (req_id, contract, execution) = only_call(fields)
    assert (name, req_id, contract.conId) == ("execDetails", -1, 265598)
    assert execution.time == datetime(2025, 3, 3, 15, 0, 1, tzinfo=UTC)
    assert (execution.orderId, execution.clientId, execution.permId) == (7, 3, 555)
    assert (execution.side, execution.shares, execution.price) == ("BOT", 40.0, 187.2)
    assert (execution.cumQty, execution.avgPrice, execution.acctNumber) == (
        40.0,
        187.2,
        "DU1234567",
    )
    assert execution.execId == "0000e0d5.67a8b9c1.01.01"
    assert only_call(om.execution_data_end(4)) == ("execDetailsEnd", (4,))


def test_commission_report_is_eight_fields() -> None:
    fields = om.commission_report(_fill(pnl=12.5))
    assert len(fields) == 8
    name, (report,) = only_call(fields)
    assert name == "commissionReport"
    assert (report.execId, report.commission, report.currency, report.realizedPNL) == (
        "0000e0d5.67a8b9c1.01.01",
        1.25,
        "USD",
        12.5,
    )
    ((_, (opening,)),) = decode(om.commission_report(_fill()))
    assert opening.realizedPNL == UNSET_DOUBLE  # the wrapper turns this into 0.0

"""The desk refuses quantities that do not fit the resolved contract's size rule, for previews
and placements alike, before anything reaches IB; a contract that allows fractions gets them."""

from __future__ import annotations

from pathlib import Path

import msgspec.structs
import pytest

from domain.errors import InvalidRequest
from domain.orders import OrderRequest
from tests.fakes import FakeBroker
from tests.safety.conftest import AAPL, AGENT, REST, DeskFactory, audit_lines

SPY_FRACTIONAL = msgspec.structs.replace(
    AAPL, con_id=756733, symbol="SPY", min_size=0.0001, size_increment=0.0001
)


def buy(quantity: float, **fields: object) -> OrderRequest:
    return OrderRequest(action="BUY", quantity=quantity, order_type="LMT", limit_price=10.0,
                        **fields)  # type: ignore[arg-type]  # fmt: skip


@pytest.mark.parametrize("operation", ["preview", "place"])
@pytest.mark.parametrize(
    ("quantity", "words"),
    [(1e-30, "below the minimum size 1"), (1.5, "not a multiple of the size increment 1")],
)
async def test_a_quantity_outside_the_size_rule_is_refused_and_nothing_is_sent(
    make_desk: DeskFactory,
    broker: FakeBroker,
    audit_path: Path,
    operation: str,
    quantity: float,
    words: str,
) -> None:
    desk = make_desk()
    order = buy(quantity, contract_id=AAPL.con_id)  # AAPL has no size rule: whole shares
    with pytest.raises(InvalidRequest) as caught:
        if operation == "preview":
            await desk.preview(order, AGENT)
        else:
            await desk.place(order, REST)
    assert caught.value.field == "quantity"
    assert words in caught.value.message and "(whole units)" in caught.value.message
    assert broker.called("what_if") == [] and broker.called("place_order") == []
    [entry] = audit_lines(audit_path)
    assert entry.operation == operation and entry.order_id is None
    assert entry.error is not None and entry.error.code == "invalid_request"


async def test_the_rule_is_the_resolved_contracts(
    make_desk: DeskFactory, broker: FakeBroker
) -> None:
    broker.contracts.append(SPY_FRACTIONAL)
    desk = make_desk()
    preview = await desk.preview(buy(0.5, symbol="SPY"), AGENT)
    assert preview.contract.size_increment == 0.0001
    placed = await desk.place(buy(0.5, symbol="SPY"), REST)
    assert placed.status == "Submitted"
    [(_, sent)] = broker.called("place_order")
    assert sent.quantity == 0.5  # unchanged
    with pytest.raises(InvalidRequest, match=r"size increment 0\.0001"):
        await desk.place(buy(0.00015, symbol="SPY"), REST)
    assert len(broker.called("place_order")) == 1

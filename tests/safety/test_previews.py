"""Preview, then place exactly that order once, soon: or hear precisely why not."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from application.services.previews import PreviewBook
from domain.errors import GuardrailViolation, InvalidConfirmation, NotConnected, PreviewRequired
from domain.orders import OrderRequest
from domain.safety import Caller, TradingPolicy
from tests.fakes import FakeBroker, FakeClock
from tests.safety.conftest import AAPL, AGENT, REST, STDIO, DeskFactory, audit_lines

ORDER = OrderRequest(action="BUY", symbol="AAPL", quantity=10, order_type="LMT", limit_price=190.0)


async def test_preview_reports_what_if_and_sends_no_order(
    make_desk: DeskFactory, broker: FakeBroker, clock: FakeClock
) -> None:
    preview = await make_desk().preview(ORDER, AGENT)
    assert preview.order == ORDER
    assert preview.contract.con_id == AAPL.con_id
    assert preview.commission == pytest.approx(1.0)
    assert preview.init_margin_change == pytest.approx(0.25 * 1900)
    assert preview.expires_at == clock.now().replace(minute=22)  # 120 s
    assert len(preview.confirmation_token) >= 40
    assert len(broker.called("what_if")) == 1
    assert broker.called("place_order") == []


async def test_preview_then_place_works_once(make_desk: DeskFactory, broker: FakeBroker) -> None:
    desk = make_desk()
    token = (await desk.preview(ORDER, AGENT)).confirmation_token
    result = await desk.place(ORDER, AGENT, confirmation_token=token)
    assert result.status == "Submitted"
    with pytest.raises(InvalidConfirmation, match="already used") as caught:
        await desk.place(ORDER, AGENT, confirmation_token=token)
    assert caught.value.details["reason"] == "already_used"
    assert len(broker.called("place_order")) == 1


async def test_expired_token_is_refused(
    make_desk: DeskFactory, broker: FakeBroker, clock: FakeClock
) -> None:
    desk = make_desk()
    token = (await desk.preview(ORDER, AGENT)).confirmation_token
    clock.advance(120)
    with pytest.raises(InvalidConfirmation, match="expired"):
        await desk.place(ORDER, AGENT, confirmation_token=token)
    assert broker.called("place_order") == []


async def test_unknown_token_is_refused(make_desk: DeskFactory, broker: FakeBroker) -> None:
    with pytest.raises(InvalidConfirmation, match="Unknown"):
        await make_desk().place(ORDER, AGENT, confirmation_token="x" * 43)
    assert broker.called("place_order") == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quantity": 11}, "quantity"),
        ({"limit_price": 191.0}, "limit_price"),
        ({"action": "SELL"}, "action"),
        ({"time_in_force": "GTC"}, "time_in_force"),
        ({"outside_rth": True}, "outside_rth"),
        ({"account_id": "DU999"}, "account_id"),
        ({"symbol": None, "contract_id": AAPL.con_id, "exchange": "NASDAQ"}, "exchange"),
    ],
)
async def test_a_different_order_is_refused_naming_the_field(
    make_desk: DeskFactory, broker: FakeBroker, change: dict[str, object], field: str
) -> None:
    desk = make_desk()
    token = (await desk.preview(ORDER, AGENT)).confirmation_token
    other = msgspec.structs.replace(ORDER, **change)
    with pytest.raises(InvalidConfirmation, match=f"does not match.*{field}") as caught:
        await desk.place(other, AGENT, confirmation_token=token)
    assert caught.value.details["fields"] == [field]
    assert broker.called("place_order") == []
    # The token still places the order it previewed.
    await desk.place(ORDER, AGENT, confirmation_token=token)
    assert len(broker.called("place_order")) == 1


async def test_the_idempotency_key_and_contract_naming_do_not_matter(
    make_desk: DeskFactory, broker: FakeBroker
) -> None:
    desk = make_desk()
    token = (await desk.preview(ORDER, AGENT)).confirmation_token
    by_id = msgspec.structs.replace(
        ORDER, symbol=None, contract_id=AAPL.con_id, exchange="SMART", client_order_id="mine-1"
    )
    result = await desk.place(by_id, AGENT, confirmation_token=token)
    assert result.client_order_id == "mine-1"


@pytest.mark.parametrize(
    ("policy", "caller", "required"),
    [
        (TradingPolicy(), AGENT, True),
        (TradingPolicy(), STDIO, True),
        (TradingPolicy(), REST, False),
        (TradingPolicy(require_preview_rest=True), REST, True),
        (TradingPolicy(require_preview_mcp=False), AGENT, False),
    ],
)
async def test_require_preview_depends_on_the_front_door(
    make_desk: DeskFactory,
    broker: FakeBroker,
    audit_path: Path,
    policy: TradingPolicy,
    caller: Caller,
    required: bool,
) -> None:
    desk = make_desk(policy)
    if required:
        with pytest.raises(PreviewRequired, match="preview_order"):
            await desk.place(ORDER, caller)
        assert broker.called("place_order") == []
        [entry] = audit_lines(audit_path)
        assert (entry.action, entry.transport) == ("refusal", caller.transport)
    else:
        await desk.place(ORDER, caller)
        assert len(broker.called("place_order")) == 1


async def test_live_accounts_always_require_a_preview(
    make_desk: DeskFactory, broker: FakeBroker
) -> None:
    broker.account_id = "U7654321"
    policy = TradingPolicy(allow_live_trading=True, require_preview_mcp=False)
    with pytest.raises(PreviewRequired):
        await make_desk(policy).place(ORDER, REST)
    with pytest.raises(PreviewRequired):
        await make_desk(policy).place(ORDER, AGENT)


async def test_a_refused_token_does_not_use_a_rate_limit_slot(
    make_desk: DeskFactory, broker: FakeBroker
) -> None:
    desk = make_desk(TradingPolicy(max_orders_per_minute=1))
    with pytest.raises(InvalidConfirmation):
        await desk.place(ORDER, AGENT, confirmation_token="bogus-token-value")
    token = (await desk.preview(ORDER, AGENT)).confirmation_token
    await desk.place(ORDER, AGENT, confirmation_token=token)


async def test_previews_have_their_own_per_minute_window(
    make_desk: DeskFactory, broker: FakeBroker, clock: FakeClock
) -> None:
    desk = make_desk(
        TradingPolicy(max_previews_per_minute=2, max_orders_per_minute=1, max_order_quantity=100)
    )
    with pytest.raises(GuardrailViolation):  # refused before IB: it does not count
        await desk.preview(msgspec.structs.replace(ORDER, quantity=1000), AGENT)
    token = (await desk.preview(ORDER, AGENT)).confirmation_token
    clock.advance(20)
    await desk.preview(ORDER, AGENT)
    with pytest.raises(GuardrailViolation, match="At most 2 previews") as caught:
        await desk.preview(ORDER, AGENT)
    assert caught.value.rule == "max_previews_per_minute"
    assert caught.value.details["retry_after"] == 40
    assert len(broker.called("what_if")) == 2
    # placing is counted apart: the preview window being full does not block the order
    assert (await desk.place(ORDER, AGENT, confirmation_token=token)).status == "Submitted"
    clock.advance(40)  # the first preview leaves the window
    await desk.preview(ORDER, AGENT)
    assert len(broker.called("what_if")) == 3


def test_the_book_keeps_a_bounded_number_of_tokens(clock: FakeClock) -> None:
    book = PreviewBook(clock, ttl_seconds=60, max_outstanding=3)
    tokens = [book.issue(ORDER, AAPL)[0] for _ in range(5)]
    assert len(book) == 3
    with pytest.raises(InvalidConfirmation, match="Unknown"):
        book.redeem(tokens[0], ORDER, AAPL)
    book.redeem(tokens[-1], ORDER, AAPL)
    clock.advance(120)  # expired tokens are remembered for one more ttl, then forgotten
    book.issue(ORDER, AAPL)
    assert len(book) == 1


def test_tokens_are_not_kept_in_clear(clock: FakeClock) -> None:
    book = PreviewBook(clock)
    token, _ = book.issue(ORDER, AAPL)
    assert token not in repr(vars(book))


async def test_only_a_placement_with_a_token_looks_its_key_up_before_claiming_it(
    make_desk: DeskFactory, broker: FakeBroker
) -> None:
    # the look-up may ask IB for every completed order: once per new key, unless a token
    # must be told apart from a retry's spent one
    desk = make_desk()
    await desk.place(ORDER, REST, idempotency_key="plain")
    assert broker.called("find_order").count(("plain",)) == 1
    token = (await desk.preview(ORDER, AGENT)).confirmation_token
    first = await desk.place(ORDER, AGENT, confirmation_token=token, idempotency_key="tok")
    assert broker.called("find_order").count(("tok",)) == 2
    again = await desk.place(ORDER, AGENT, confirmation_token=token, idempotency_key="tok")
    assert again.duplicate is True and again.order_id == first.order_id
    assert len(broker.called("place_order")) == 2


async def test_a_keyed_order_that_never_left_does_not_use_a_rate_limit_slot(
    make_desk: DeskFactory, broker: FakeBroker
) -> None:
    desk = make_desk(TradingPolicy(max_orders_per_minute=2))
    await desk.place(ORDER, REST, idempotency_key="first")
    look_up = broker.find_order

    async def dropped(key: str) -> None:
        raise NotConnected("the session dropped")

    broker.find_order = dropped  # type: ignore[method-assign]
    with pytest.raises(NotConnected):  # the key's look-up at IB failed: nothing was sent
        await desk.place(ORDER, REST, idempotency_key="second")
    broker.find_order = look_up  # type: ignore[method-assign]
    await desk.place(ORDER, REST, idempotency_key="third")
    assert [r.client_order_id for _, r in broker.order_requests.values()] == ["first", "third"]
    with pytest.raises(GuardrailViolation):
        await desk.place(ORDER, REST, idempotency_key="fourth")

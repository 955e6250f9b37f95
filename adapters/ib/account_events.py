"""Order status, fills, positions, account values and P&L of the session, fanned out to sinks.

ib_async reports them as events on the ``IB`` object, and the supervisor makes a new ``IB``
for every connection: the handlers move to each new one on connect, so open sinks survive
reconnects (what happened while disconnected is not replayed; IB's open orders, positions
and account values are sent again at connect and arrive as events).

A fill is pushed twice: at once when IB reports the execution (``commission`` None), and
again, same ``exec_id``, with the commission when IB's commission report arrives. A consumer
keeps the latest per ``exec_id``. (Waiting for the report would delay every fill, and lose
it if the report never comes.)

P&L comes from IB's reqPnL subscription of the session's account (when it manages exactly one),
started with the first sink (and again after a reconnect) and left running: ``IbPnl`` reads
the same subscription.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog
from ib_async import IB, AccountValue, CommissionReport, Fill, PnL, Position, Trade

from adapters.ib import stream_mapping
from adapters.ib.supervisor import ConnectionSupervisor
from application.ports import Clock, StreamSink
from domain.streams import AccountEvent

log = structlog.get_logger("ibkr_mcp.ib.account_events")


class AccountSubscription:
    def __init__(self, owner: IbAccountEvents, sink: StreamSink[AccountEvent]) -> None:
        self._owner = owner
        self.sink = sink

    def close(self) -> None:
        """Stop delivering; idempotent (nothing to cancel at IB: the events come anyway)."""
        self._owner.detach(self)


class IbAccountEvents:
    def __init__(self, supervisor: ConnectionSupervisor, clock: Clock) -> None:
        self._clock = clock
        self._subs: dict[AccountSubscription, None] = {}  # insertion-ordered set
        self._ib: IB | None = None
        supervisor.on_connect(self._attach)
        if supervisor.ib is not None:
            self._attach(supervisor.ib)

    def __len__(self) -> int:
        return len(self._subs)

    def open(self, sink: StreamSink[AccountEvent]) -> AccountSubscription:
        sub = AccountSubscription(self, sink)
        self._subs[sub] = None
        if self._ib is not None:
            self._follow_pnl(self._ib)
        return sub

    def detach(self, sub: AccountSubscription) -> None:
        self._subs.pop(sub, None)

    def close_all(self) -> None:
        self._subs.clear()
        self._detach_ib()

    # -- ib_async's events ------------------------------------------------------------------------

    def _handlers(self, ib: IB) -> list[tuple[Any, Callable[..., None]]]:
        return [
            (ib.orderStatusEvent, self._on_status),
            (ib.execDetailsEvent, self._on_fill),
            (ib.commissionReportEvent, self._on_commission),
            (ib.positionEvent, self._on_position),
            (ib.accountValueEvent, self._on_value),
            (ib.pnlEvent, self._on_pnl),
        ]

    def _attach(self, ib: IB) -> None:
        self._detach_ib()
        for event, handler in self._handlers(ib):
            event += handler
        self._ib = ib
        if self._subs:
            self._follow_pnl(ib)

    def _follow_pnl(self, ib: IB) -> None:
        """Subscribe to the account's P&L unless the session already does."""
        if not ib.isConnected():
            return
        accounts = ib.managedAccounts()
        if len(accounts) != 1 or (accounts[0], "") in ib.wrapper.pnlKey2ReqId:
            return
        try:
            ib.reqPnL(accounts[0])
        except Exception:  # a P&L subscription is a nicety of the stream, never its end
            log.warning("ib.account_pnl_unavailable", exc_info=True)

    def _detach_ib(self) -> None:
        ib, self._ib = self._ib, None
        if ib is not None:
            for event, handler in self._handlers(ib):
                event -= handler

    def _push(self, make: Callable[[], AccountEvent]) -> None:
        if not self._subs:
            return
        try:
            event = make()
        except Exception:  # one odd message must not stop the others
            log.exception("ib.account_event_unmapped")
            return
        for sub in list(self._subs):
            try:
                sub.sink.push(event)
            except Exception:
                log.exception("ib.account_sink_failed", kind=event.__class__.__name__)

    def _on_status(self, trade: Trade) -> None:
        self._push(lambda: stream_mapping.order_event(trade, self._clock.now()))

    def _on_fill(self, trade: Trade, fill: Fill) -> None:
        self._push(lambda: stream_mapping.fill_event(fill, trade))

    def _on_commission(self, trade: Trade, fill: Fill, _report: CommissionReport) -> None:
        self._push(lambda: stream_mapping.fill_event(fill, trade))

    def _on_position(self, position: Position) -> None:
        self._push(lambda: stream_mapping.position_event(position, self._clock.now()))

    def _on_pnl(self, pnl: PnL) -> None:
        self._push(lambda: stream_mapping.pnl_event(pnl, self._clock.now()))

    def _on_value(self, value: AccountValue) -> None:
        self._push(lambda: stream_mapping.account_value_event(value, self._clock.now()))

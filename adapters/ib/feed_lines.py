"""Live subscriptions held at IB for a sink, and the one place that renews them.

A ``Line`` is one subscription (quotes, bars, depth or ticks) with its own request id and its
own ib_async state: never ib_async's per-contract Ticker slot, which snapshots and other lines
of the same contract would share. ``FeedLines`` keeps the open lines and:

- tells every sink ``stale`` when data stops being current (socket closed, IB's 1100);
- renews every line on a new session (reconnect) and after 1101 (IB dropped the
  subscriptions): a new request with fresh state, so nothing the old request received is
  ever pushed as new; sinks get fresh pushes once data flows again. After 1102 (IB kept
  the subscriptions) nothing is renewed: data simply flows again;
- routes IB's errors for a line's request: a refusal ends the line (``sink.fail``), or is
  raised from ``open`` when it comes within ``stream_open_wait`` of the request.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, Generic, Literal, TypeVar

import structlog
from ib_async import IB

from adapters.ib import errors
from adapters.ib.bookkeeping import forget_request
from adapters.ib.supervisor import ConnectionSupervisor
from application.ports import StreamSink
from domain.errors import DomainError

log = structlog.get_logger("ibkr_mcp.ib.feed")
T = TypeVar("T")
Verdict = DomainError | Literal["renew"] | None
# Not fatal for a subscription although ib_async logs them as errors: part of the data is not
# subscribed (the rest flows), a competing live session (data resumes), "can't find EId".
_HARMLESS = frozenset({10090, 10197, 300})


class Line(Generic[T]):
    """One IB subscription delivering to ``sink``; the subscription handle its opener gets."""

    what = "a subscription"

    def __init__(self, sink: StreamSink[T]) -> None:
        self.sink = sink
        self.req_id: int | None = None
        self.ib: IB | None = None
        self.closed = False
        self.stale = False
        self.opening = True
        self.settled = asyncio.Event()  # first data or a refusal, while opening
        self.failure: DomainError | None = None
        self._owner: FeedLines | None = None

    # -- what each kind of line does at IB ------------------------------------------------------

    def subscribe(self, ib: IB, req_id: int) -> None:
        raise NotImplementedError

    def unsubscribe(self, ib: IB, req_id: int, *, at_ib: bool) -> None:
        """Detach from ib_async's state for ``req_id``; cancel at IB when ``at_ib``."""
        raise NotImplementedError

    def verdict(self, code: int, text: str) -> Verdict:
        """What IB's error for this line's request means: None (keep going), "renew" (ask
        again), or the domain error that ends the line."""
        if errors.is_warning(code) or code in _HARMLESS:
            return None
        return errors.to_domain(code, text, self.what)

    # -- delivery ---------------------------------------------------------------------------------

    def deliver(self, item: T) -> None:
        self.stale = False
        if self.opening:
            self.settled.set()
        try:
            self.sink.push(item)
        except Exception:
            log.exception("ib.feed_sink_failed", what=self.what)

    def close(self) -> None:
        """Cancel at IB (if still connected) and stop delivering; idempotent."""
        if self._owner is not None:
            self._owner.close(self)
        self.closed = True


class FeedLines:
    def __init__(self, supervisor: ConnectionSupervisor, open_wait: float) -> None:
        self._supervisor = supervisor
        self._open_wait = open_wait
        self._lines: dict[Line[Any], None] = {}  # insertion-ordered set
        # Hooks run in registration order: the market data type (IbMarketData) is set on a new
        # session before these lines ask for data again.
        supervisor.on_connect(self._renew_all)  # a new session: the old request ids are gone
        supervisor.on_data_lost(self._data_lost)  # 1101: IB dropped every subscription
        supervisor.on_stale(self._stale_all)

    def __len__(self) -> int:
        return len(self._lines)

    async def open(self, line: Line[T]) -> Line[T]:
        """Send the line's request and wait (bounded) for IB's first data or refusal."""
        ib = self._supervisor.require()
        line._owner = self
        try:
            self._lines[line] = None
            try:
                self._start(ib, line)
            except ConnectionError as exc:  # the socket closed under a session still "up"
                raise errors.translate(exc, line.what) from exc
            lost = self._supervisor.record.lost_notice
            if lost is not None:  # 1100 holds: nothing flows until IB is back
                self._stale_all(
                    f"IB has lost connectivity to its servers ({lost.code}: {lost.message})"
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(line.settled.wait(), self._open_wait)
        except BaseException:
            self.close(line)
            raise
        finally:
            line.opening = False
        if line.failure is not None:
            raise line.failure
        return line

    def close(self, line: Line[T]) -> None:
        if line.closed:
            return
        line.closed = True
        self._lines.pop(line, None)
        self._stop(line, at_ib=True)

    def close_all(self) -> None:
        for line in list(self._lines):
            line.close()

    # -- the one place that (re)subscribes --------------------------------------------------------

    def _start(self, ib: IB, line: Line[T]) -> None:
        req_id = ib.client.getReqId()
        line.req_id, line.ib = req_id, ib
        self._supervisor.notices.routes[req_id] = lambda code, text: self._on_error(
            line, code, text
        )
        line.subscribe(ib, req_id)

    def _stop(self, line: Line[T], *, at_ib: bool) -> None:
        req_id, ib = line.req_id, line.ib
        if req_id is None or ib is None:
            return
        line.req_id = line.ib = None
        self._supervisor.notices.routes.pop(req_id, None)
        try:
            line.unsubscribe(ib, req_id, at_ib=at_ib and ib.isConnected())
        except Exception:  # the socket may close under us: the state is forgotten regardless
            log.exception("ib.feed_cancel_failed", what=line.what, req_id=req_id)
        forget_request(ib.wrapper, req_id)

    def _renew(self, ib: IB, line: Line[T]) -> None:
        self._stop(line, at_ib=False)  # that request is dead at IB (or its session is gone)
        self._start(ib, line)

    def _renew_all(self, ib: IB) -> None:
        for line in list(self._lines):
            self._renew(ib, line)
        if self._lines:
            log.info("ib.feed_resubscribed", subscriptions=len(self._lines))

    def _data_lost(self, ib: IB) -> None:
        self._stale_all("IB dropped the market data subscriptions (1101); asking again")
        self._renew_all(ib)

    def _stale_all(self, reason: str) -> None:
        for line in list(self._lines):
            if line.stale:
                continue
            line.stale = True
            try:
                line.sink.stale(reason)
            except Exception:
                log.exception("ib.feed_sink_failed", what=line.what)

    def _on_error(self, line: Line[T], code: int, text: str) -> None:
        verdict = line.verdict(code, text)
        if verdict is None or line.closed:
            return
        if verdict == "renew":
            ib = self._supervisor.ib
            if ib is not None and ib.isConnected():
                self._renew(ib, line)
                return
            verdict = errors.to_domain(code, text, line.what)
        assert not isinstance(verdict, str)
        log.warning("ib.feed_refused", what=line.what, code=code, message=text)
        line.closed = True
        self._lines.pop(line, None)
        self._stop(line, at_ib=False)  # IB ended it
        if line.opening:
            line.failure = verdict
            line.settled.set()
            return
        try:
            line.sink.fail(verdict)
        except Exception:
            log.exception("ib.feed_sink_failed", what=line.what)

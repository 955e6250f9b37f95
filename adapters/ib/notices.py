"""IB's one error callback, sorted: request errors to whoever waits on that id, connection
notices to the session's status, data-farm notices to a small status map."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime

import structlog

from adapters.ib import errors
from domain.connection import DataFarm

log = structlog.get_logger("ibkr_mcp.ib.notices")


_FARM_NAME = re.compile(r"(?::|upon demand\.)\s*(\S+)\s*$")


class ErrorWatch:
    """The errors IB sends for one request or order id while a caller waits on it."""

    def __init__(self, req_id: int) -> None:
        self.req_id = req_id
        self.errors: list[tuple[int, str]] = []
        self.arrived = asyncio.Event()


class IbNotices:
    def __init__(
        self,
        *,
        on_lost: Callable[[str], None],
        on_restored: Callable[[int, str], None],
        now: Callable[[], datetime],
        on_farm: Callable[[DataFarm], None] = lambda _farm: None,
    ) -> None:
        self._on_lost = on_lost
        self._on_restored = on_restored
        self._on_farm = on_farm
        self._now = now
        self.farms: dict[str, DataFarm] = {}
        self.error_counts: Counter[int] = Counter()
        self._watches: dict[int, set[ErrorWatch]] = {}
        # Long-lived subscriptions (feed lines): request id -> who takes its errors, for as
        # long as the subscription lasts (a watch collects into a list: for short requests).
        self.routes: dict[int, Callable[[int, str], None]] = {}

    @contextlib.contextmanager
    def watch(self, req_id: int) -> Iterator[ErrorWatch]:
        """Collect IB errors for ``req_id`` (order id or request id) while the block runs."""
        watch = ErrorWatch(req_id)
        self._watches.setdefault(req_id, set()).add(watch)
        try:
            yield watch
        finally:
            group = self._watches.get(req_id)
            if group is not None:
                group.discard(watch)
                if not group:
                    del self._watches[req_id]

    @property
    def watched(self) -> int:
        return len(self._watches)

    def __call__(self, req_id: int, code: int, text: str, _contract: object = None) -> None:
        self.error_counts[code] += 1
        for watch in list(self._watches.get(req_id, ())):
            watch.errors.append((code, text))
            watch.arrived.set()
        route = self.routes.get(req_id)
        if route is not None:
            try:
                route(code, text)
            except Exception:
                log.exception("ib.error_route_failed", req_id=req_id, code=code)
        if code == errors.CONNECTIVITY_LOST:
            self._on_lost(text)
        elif code in (errors.RESTORED_DATA_LOST, errors.RESTORED_DATA_KEPT):
            self._on_restored(code, text)
        elif code in errors.FARM_BROKEN or code in errors.FARM_OK:
            self._farm_notice(code, text)
        elif code == 100:
            log.warning("ib.message_rate_exceeded", message=text)

    def _farm_notice(self, code: int, text: str) -> None:
        # "...is broken:usfarm", "...is OK:usfarm.nj", "...available upon demand.usfarm.nj"
        match = _FARM_NAME.search(text)
        name = match[1] if match else str(code)
        healthy = code in errors.FARM_OK
        previous = self.farms.get(name)
        since = previous.since if previous is not None and previous.ok == healthy else self._now()
        self.farms[name] = DataFarm(
            name=name, kind=errors.farm_kind(code), ok=healthy, code=code, message=text, since=since
        )
        (log.info if healthy else log.warning)("ib.data_farm", code=code, farm=name, message=text)
        self._on_farm(self.farms[name])

    def forget_farms(self) -> None:
        """A new session reports every farm afresh; what the old one said no longer holds."""
        self.farms.clear()

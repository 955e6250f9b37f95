"""One market-data probe: is the broker connected, and does a snapshot carry prices?"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from datetime import UTC

from application.ports import Broker, Clock
from application.services.market_lines import QuoteLines
from domain.connection import ConnectionStatus
from domain.contract import Contract, ContractQuery, describe_query
from domain.errors import DomainError
from domain.market_data import Quote


@dataclass(frozen=True, slots=True)
class ProbeResult:
    ok: bool
    reason: str
    # The broker had no session: its own reconnect loop may still bring it back.
    disconnected: bool = False
    # ... and was in the middle of connecting, no attempt having failed (a first session).
    connecting: bool = False


class MarketDataProbe:
    """Snapshots one contract; the contract is looked up once and again after a failure.

    A snapshot older than ``max_age`` seconds counts as no data: a broker library that hands
    back the prices of an earlier request when the gateway sent nothing must not look healthy.

    With ``lines`` (see ``read_lines``), a live line of the contract whose data is younger
    than ``max_age`` answers the probe without asking IB: while the contract ticks, the
    monitor costs IB nothing. A quiet or stale line falls back to a snapshot, which tells a
    market with no trades from a feed that stopped.
    """

    def __init__(
        self,
        broker: Broker,
        query: ContractQuery,
        *,
        clock: Clock,
        timeout: float,
        max_age: float | None,
    ) -> None:
        self._broker = broker
        self._query = query
        self._clock = clock
        self._timeout = timeout
        self._max_age = max_age
        self._contract: Contract | None = None
        self.label = describe_query(query)
        self._lines: QuoteLines | None = None

    def read_lines(self, lines: QuoteLines) -> None:
        self._lines = lines

    async def run(self) -> ProbeResult:
        try:
            async with asyncio.timeout(self._timeout):
                result = await self._run()
        except TimeoutError:
            result = ProbeResult(
                False, f"probe of {self.label} timed out after {self._timeout:g} s"
            )
        except DomainError as exc:
            result = ProbeResult(False, f"probe of {self.label} failed: {exc.message}")
        if not result.ok:
            self._contract = None
        return result

    async def _run(self) -> ProbeResult:
        status = await self._broker.connection_status()
        if not status.connected:
            why = f"broker {status.state}"
            if status.last_error:
                why += f": {status.last_error}"
            first = status.state == "connecting" and not status.last_error
            return ProbeResult(False, why, disconnected=True, connecting=first)
        if status.connectivity_lost is not None:
            # IB's 1100: the gateway itself lost IB's servers and reconnects on its own; a
            # restart rarely helps and may ask for 2FA, so it waits as long as a disconnect.
            why = f"market data cannot flow{farms_note(status)}"
            return ProbeResult(False, why, disconnected=True)
        try:
            contract = self._contract or await self._resolve()
            live = self._live_quote(contract)
            if live is not None:
                self._contract = contract
                return ProbeResult(True, f"{self.label} {describe_prices(live)} (live line)")
            quote = await self._broker.snapshot(contract)
        except DomainError as exc:
            reason = f"probe of {self.label} failed: {exc.message}{farms_note(status)}"
            return ProbeResult(False, reason)
        if not has_prices(quote):
            return ProbeResult(
                False,
                f"snapshot of {self.label} has no last, bid, ask or close{farms_note(status)}",
            )
        age = self._age(quote)
        if self._max_age is not None and age > self._max_age:
            return ProbeResult(
                False,
                f"snapshot of {self.label} is {age:.1f} s old (limit {self._max_age:g} s)"
                + farms_note(status),
            )
        self._contract = contract
        return ProbeResult(True, f"{self.label} {describe_prices(quote)}")

    def _live_quote(self, contract: Contract) -> Quote | None:
        line = self._lines.get(contract.con_id) if self._lines is not None else None
        quote = line.current() if line is not None else None
        if quote is None or not has_prices(quote):
            return None
        if self._max_age is not None and self._age(quote) > self._max_age:
            return None
        return quote

    def _age(self, quote: Quote) -> float:
        stamp = quote.timestamp
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=UTC)
        return (self._clock.now() - stamp).total_seconds()

    async def _resolve(self) -> Contract:
        found = await self._broker.contract_details(self._query)
        if not found:
            raise DomainError(f"no contract matches {self.label}")
        return found[0]


def farms_note(status: ConnectionStatus) -> str:
    """IB's own outage notices that bear on market data (1100, broken market data farms), as a
    clause for a probe failure's reason."""
    notes = [farm.describe() for farm in status.broken_market_data_farms]
    if status.connectivity_lost is not None:
        notes.insert(0, f"connection to IB lost ({status.connectivity_lost.describe()})")
    return f"; the gateway reports {'; '.join(notes)}" if notes else ""


def _price(value: float | None) -> bool:
    return value is not None and math.isfinite(value) and value > 0


def has_prices(quote: Quote) -> bool:
    """A snapshot counts as data when it has a usable last, bid, ask or close.

    Outside trading hours (nights, weekends, holidays) IB often answers a snapshot with the
    previous close alone: the gateway and its data farm are working, and restarting them then
    would only cost the user a login (and 2FA). A broken feed sends no tick at all.
    """
    return any(_price(v) for v in (quote.last_price, quote.bid, quote.ask, quote.close))


def describe_prices(quote: Quote) -> str:
    parts = [
        f"{name} {value:g}"
        for name, value in (
            ("last", quote.last_price),
            ("bid", quote.bid),
            ("ask", quote.ask),
            ("close", quote.close),
        )
        if value is not None and _price(value)
    ]
    return ", ".join(parts)

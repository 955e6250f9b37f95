"""A stand-in for ib_async's ``IB`` with scripted connection behaviour (no sockets)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from eventkit import Event


class FakeClient:
    def __init__(self) -> None:
        self.apiError = Event("apiError")
        self.throttleStart = Event("throttleStart")
        self.throttleEnd = Event("throttleEnd")
        self.ready = False

    def isReady(self) -> bool:
        return self.ready

    def serverVersion(self) -> int:
        return 178 if self.ready else 0


class FakeWrapper:
    def __init__(self) -> None:
        self.closed = 0
        self.clientId = -1

    def connectionClosed(self) -> None:
        self.closed += 1


class FakeIB:
    """``behaviour(ib)`` runs inside connectAsync: return to succeed, raise to fail."""

    def __init__(self, behaviour: Callable[[FakeIB], object] | None = None) -> None:
        self.errorEvent = Event("errorEvent")
        self.disconnectedEvent = Event("disconnectedEvent")
        self.client = FakeClient()
        self.wrapper = FakeWrapper()
        self.behaviour = behaviour
        self.RaiseRequestErrors = False
        self.market_data_types: list[int] = []
        self.subscribed: list[object] = []

    async def connectAsync(self, host, port, clientId, timeout, account=""):  # noqa: ASYNC109
        if self.behaviour is not None:
            outcome = self.behaviour(self)
            if asyncio.iscoroutine(outcome):
                await outcome
        self.client.ready = True
        return self

    def isConnected(self) -> bool:
        return self.client.ready

    def disconnect(self) -> None:
        if self.client.ready:
            self.client.ready = False
            self.disconnectedEvent.emit()

    def drop(self, times: int = 1) -> None:
        """The gateway closed the socket; ib_async may report it more than once."""
        self.client.ready = False
        for _ in range(times):
            self.disconnectedEvent.emit()

    def managedAccounts(self) -> list[str]:
        return ["DU1"]

    def reqMarketDataType(self, md_type: int) -> None:
        self.market_data_types.append(md_type)

    def reqMktData(self, contract, generic="", snapshot=False, regulatory=False):
        self.subscribed.append(contract)


class FakeIBFactory:
    """Hands out FakeIBs; the n-th one (0-based) gets ``behaviours[n]`` (default: success)."""

    def __init__(self, *behaviours: Callable[[FakeIB], object] | None) -> None:
        self.behaviours = list(behaviours)
        self.made: list[FakeIB] = []

    def __call__(self) -> FakeIB:
        n = len(self.made)
        ib = FakeIB(self.behaviours[n] if n < len(self.behaviours) else None)
        self.made.append(ib)
        return ib


def refuse(_ib: FakeIB) -> None:
    raise ConnectionRefusedError("Connect call failed")


async def client_id_in_use(ib: FakeIB) -> None:
    ib.errorEvent.emit(-1, 326, "Unable to connect as the client id is already in use.", None)
    await asyncio.sleep(3600)  # ib_async would wait for its timeout here

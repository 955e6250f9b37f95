"""Feed simulator messages to ib_async's own decoder and record what it calls."""

from __future__ import annotations

import struct
from datetime import UTC
from types import SimpleNamespace
from typing import Any

from ib_async.client import Client
from ib_async.decoder import Decoder

from adapters.simulated_gateway.tws.wire import frame


class RecordingWrapper:
    """Stands in for ib_async's Wrapper: records every callback with its arguments."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.defaultTimezone = UTC
        self.ib = SimpleNamespace(TimezoneTWS=None)

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)

        def record(*args: Any) -> None:
            self.calls.append((name, args))

        return record


def wire_fields(fields: list[str]) -> list[str]:
    """The fields as ib_async's client splits them off the wire (framing round trip)."""
    data = frame(fields)
    (size,) = struct.unpack(">I", data[:4])
    assert size == len(data) - 4
    parts = data[4:].decode().split("\0")
    assert parts.pop() == ""
    return parts


def decode(fields: list[str]) -> list[tuple[str, tuple[Any, ...]]]:
    wrapper = RecordingWrapper()
    Decoder(wrapper, 178).interpret(wire_fields(fields))
    return wrapper.calls


def only_call(fields: list[str]) -> tuple[str, tuple[Any, ...]]:
    calls = decode(fields)
    assert len(calls) == 1, calls
    return calls[0]


def encoded_request(method: str, *args: Any) -> list[str]:
    """A request exactly as ib_async 2.1.0 writes it for a server at version 178."""
    sent: list[str] = []
    client = Client(RecordingWrapper())
    client._serverVersion = 178
    client.connState = Client.CONNECTED
    client.sendMsg = sent.append  # type: ignore[method-assign]
    getattr(client, method)(*args)
    assert len(sent) == 1
    parts = sent[0].split("\0")
    assert parts.pop() == ""
    return parts

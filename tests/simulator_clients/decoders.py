"""Three real client decoders, each at a chosen server version, fed one simulator message.

- IB's ``ibapi`` 9.81: IB's own decoder, with IB's branches for every version 100..157;
- ib_insync 0.9.86: versions 157..176;
- ib_async 2.1.0: versions 157..178.

Each ``decode`` returns the wrapper calls and the failures the decoder raised or logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import ib_async.decoder
import ib_insync.decoder
import ibapi.decoder

from tests.simulator.decoding import RecordingWrapper, wire_fields

Call = tuple[str, tuple[Any, ...]]


@dataclass
class Decoded:
    calls: list[Call] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def named(self, name: str) -> list[tuple[Any, ...]]:
        return [args for called, args in self.calls if called == name]


class _Failures(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR:
            self.messages.append(record.getMessage()[:400])


@cache
def _ibapi(version: int) -> tuple[ibapi.decoder.Decoder, RecordingWrapper]:
    wrapper = RecordingWrapper()
    return ibapi.decoder.Decoder(wrapper, version), wrapper


def _run(logger_name: str, wrapper: RecordingWrapper, interpret: Callable[[], None]) -> Decoded:
    handler = _Failures()
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    wrapper.calls = []
    out = Decoded()
    try:
        interpret()
    except Exception as exc:  # ibapi's message loop dies on this
        out.failures.append(f"{type(exc).__name__}: {exc}")
    finally:
        logger.removeHandler(handler)
    out.calls = list(wrapper.calls)
    out.failures += handler.messages
    # ibapi reports a message it cannot read through the wrapper, as error 505 (BAD_MESSAGE)
    out.failures += [f"error {args}" for name, args in out.calls if name == "error" and
                     len(args) > 1 and args[1] == 505]  # fmt: skip
    return out


def decode_ibapi(fields: list[str], version: int) -> Decoded:
    decoder, wrapper = _ibapi(version)
    data = tuple(part.encode() for part in wire_fields(fields))
    return _run("ibapi", wrapper, lambda: decoder.interpret(data))


def decode_insync(fields: list[str], version: int) -> Decoded:
    wrapper = RecordingWrapper()
    decoder = ib_insync.decoder.Decoder(wrapper, version)  # type: ignore[arg-type]
    return _run("ib_insync", wrapper, lambda: decoder.interpret(wire_fields(fields)))


def decode_async(fields: list[str], version: int) -> Decoded:
    wrapper = RecordingWrapper()
    decoder = ib_async.decoder.Decoder(wrapper, version)  # type: ignore[arg-type]
    return _run("ib_async", wrapper, lambda: decoder.interpret(wire_fields(fields)))


# (name, decode, versions it is tested at)
DECODERS: list[tuple[str, Callable[[list[str], int], Decoded], range]] = [
    ("ibapi-9.81", decode_ibapi, range(100, 158)),
    ("ib_insync-0.9.86", decode_insync, range(157, 177)),
    ("ib_async-2.1.0", decode_async, range(157, 179)),
]

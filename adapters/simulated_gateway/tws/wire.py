"""TWS API framing and field encoding, as IB Gateway speaks it to API clients.

A message is a 4-byte big-endian length followed by UTF-8 fields, each terminated by NUL.
The connection opens with the raw bytes ``API\\0`` (no length prefix) and one framed version
string. TCP may split or merge messages, so the reader keeps a buffer.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterable
from typing import Any

from adapters.simulated_gateway.model import ContractQuery

HELLO = b"API\0"
# IB's "unset" double: clients send it as "" but IB itself writes it out in a few places
# (commission reports, margin fields) and ib_async maps it back to "no value".
UNSET_DOUBLE_TEXT = "1.7976931348623157E308"
_PREFIX = struct.Struct(">I")
# A request larger than this is not a TWS API message: treat it as a broken peer.
MAX_MESSAGE_BYTES = 16 * 1024 * 1024


class ProtocolError(Exception):
    """The peer sent bytes that cannot be a TWS API stream."""


def fmt_float(value: float | None) -> str:
    """A double as IB writes it: compact, "" for unset/NaN, "Infinite" for inf."""
    if value is None or value != value:  # NaN check without a function call
        return ""
    if type(value) is int:  # the world may hand over ints where IB has doubles
        return str(value)
    if value == math.inf:
        return "Infinite"
    if value.is_integer() and -1e15 < value < 1e15:
        return str(int(value))
    return repr(value)


def fmt(value: Any) -> str:
    """One field as text: bool "1"/"0", None "", ints as integer text, floats compact."""
    kind = type(value)
    if kind is str:
        return value  # type: ignore[no-any-return]
    if kind is bool:
        return "1" if value else "0"
    if kind is int:
        return str(value)
    if kind is float:
        return fmt_float(value)
    if value is None:
        return ""
    return str(value)


def fmt_int(value: float | int | None) -> str:
    """Integer text for fields ib_async parses with int(): "1000.0" would drop the message."""
    if value is None or value != value:
        return "0"
    return str(int(value))


def frame(fields: Iterable[str]) -> bytes:
    """One framed message from already formatted text fields."""
    payload = ("\0".join(fields) + "\0").encode()
    return _PREFIX.pack(len(payload)) + payload


def frame_raw(payload: bytes) -> bytes:
    """A framed message whose payload is given as is (the client's version string has no NUL)."""
    return _PREFIX.pack(len(payload)) + payload


class FrameReader:
    """Turns a TCP byte stream into lists of fields, expecting the ``API\\0`` hello first."""

    __slots__ = ("_buffer", "_hello_seen")

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._hello_seen = False

    def feed(self, data: bytes) -> list[list[str]]:
        buffer = self._buffer
        buffer += data
        if not self._hello_seen:
            if len(buffer) < len(HELLO):
                if not HELLO.startswith(bytes(buffer)):
                    raise ProtocolError("connection did not start with API\\0")
                return []
            if buffer[: len(HELLO)] != HELLO:
                raise ProtocolError("connection did not start with API\\0")
            del buffer[: len(HELLO)]
            self._hello_seen = True
        messages: list[list[str]] = []
        start = 0
        end = len(buffer)
        unpack = _PREFIX.unpack_from
        while end - start >= 4:
            (size,) = unpack(buffer, start)
            if size > MAX_MESSAGE_BYTES:
                raise ProtocolError(f"message of {size} bytes")
            stop = start + 4 + size
            if stop > end:
                break
            text = buffer[start + 4 : stop].decode(errors="replace")
            fields = text.split("\0")
            if text.endswith("\0"):
                fields.pop()
            messages.append(fields)
            start = stop
        if start:
            del buffer[:start]
        return messages


class FieldReader:
    """Reads a request's fields in order; empty numeric fields mean "unset"."""

    __slots__ = ("fields", "pos")

    def __init__(self, fields: list[str], pos: int = 0) -> None:
        self.fields = fields
        self.pos = pos

    def text(self) -> str:
        value = self.fields[self.pos]
        self.pos += 1
        return value

    def integer(self, default: int = 0) -> int:
        value = self.text()
        if not value:
            return default
        try:
            return int(value)
        except ValueError:
            return int(float(value))

    def number(self) -> float | None:
        value = self.text()
        if not value:
            return None
        if value == "Infinite":
            return math.inf
        parsed = float(value)
        return None if parsed >= 1.7976931348623157e308 else parsed

    def flag(self) -> bool:
        value = self.text()
        return bool(value) and value not in ("0", "false", "False")

    def skip(self, count: int = 1) -> None:
        self.pos += count

    def remaining(self) -> int:
        return len(self.fields) - self.pos

    def tag_values(self) -> dict[str, str]:
        """IB's TagValue list: one field "k=v;k2=v2;"."""
        pairs: dict[str, str] = {}
        for item in self.text().split(";"):
            if "=" in item:
                key, value = item.split("=", 1)
                pairs[key] = value
        return pairs

    def contract(self) -> ContractQuery:
        """The 12 contract fields most requests carry (C12 in the protocol notes)."""
        return ContractQuery(
            con_id=self.integer(),
            symbol=self.text(),
            sec_type=self.text(),
            last_trade_date=self.text(),
            strike=self.number() or 0.0,
            right=self.text(),
            multiplier=self.text(),
            exchange=self.text(),
            primary_exchange=self.text(),
            currency=self.text(),
            local_symbol=self.text(),
            trading_class=self.text(),
        )

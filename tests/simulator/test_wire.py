"""Framing (split and merged reads, the API hello), field encoding and request reading."""

from __future__ import annotations

import math

import pytest

from adapters.simulated_gateway.tws.wire import (
    FieldReader,
    FrameReader,
    ProtocolError,
    fmt,
    fmt_float,
    fmt_int,
    frame,
    frame_raw,
)

HELLO_STREAM = b"API\0" + frame_raw(b"v157..178 +PACEAPI")


def test_hello_then_version_string() -> None:
    assert FrameReader().feed(HELLO_STREAM) == [["v157..178 +PACEAPI"]]


def test_byte_by_byte_reads_reassemble_messages() -> None:
    reader = FrameReader()
    stream = HELLO_STREAM + frame(["71", "2", "5", ""]) + frame(["49", "1"])
    out: list[list[str]] = []
    for i in range(len(stream)):
        out += reader.feed(stream[i : i + 1])
    assert out == [["v157..178 +PACEAPI"], ["71", "2", "5", ""], ["49", "1"]]


def test_merged_reads_yield_every_message_in_order() -> None:
    reader = FrameReader()
    reader.feed(HELLO_STREAM)
    burst = b"".join(frame(["9", "8", str(n)]) for n in range(100))
    half = len(burst) // 2 + 3  # cut inside a message
    first = reader.feed(burst[:half])
    rest = reader.feed(burst[half:])
    assert [int(m[2]) for m in first + rest] == list(range(100))


def test_unicode_fields_survive() -> None:
    reader = FrameReader()
    reader.feed(b"API\0")
    assert reader.feed(frame(["10", "Société Générale"])) == [["10", "Société Générale"]]


def test_wrong_hello_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError):
        FrameReader().feed(b"GET / HTTP/1.1\r\n")


def test_field_encoders() -> None:
    assert [fmt(True), fmt(False), fmt(None), fmt(12), fmt("x")] == ["1", "0", "", "12", "x"]
    assert [fmt_float(1.0), fmt_float(1.25), fmt_float(math.inf), fmt_float(math.nan)] == [
        "1",
        "1.25",
        "Infinite",
        "",
    ]
    assert fmt_float(None) == ""
    assert [fmt_int(1000.0), fmt_int(None)] == ["1000", "0"]
    assert frame(["a", ""]) == b"\x00\x00\x00\x03a\x00\x00"


def test_field_reader_reads_contracts_and_unset_values() -> None:
    fields = ["1", "11", "4", "0", "AAPL", "STK", "", "0.0", "", "", "SMART", "", "USD", "", ""]
    r = FieldReader(fields, 2)
    assert r.integer() == 4
    c = r.contract()
    assert (c.con_id, c.symbol, c.sec_type, c.strike, c.exchange, c.currency) == (
        0,
        "AAPL",
        "STK",
        0.0,
        "SMART",
        "USD",
    )
    assert r.remaining() == 0
    assert FieldReader(["", "Infinite", "1.7976931348623157E308"]).number() is None
    assert FieldReader(["Infinite"]).number() == math.inf
    assert FieldReader(["a=1;b=2;"]).tag_values() == {"a": "1", "b": "2"}

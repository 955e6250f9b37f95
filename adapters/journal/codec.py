"""Journal records as stored: a few columns to find and guard them, the rest as JSON."""

from __future__ import annotations

import msgspec

from domain.journal import JournalRecord

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(JournalRecord)


def encode(record: JournalRecord) -> str:
    return _encoder.encode(record).decode()


def decode(data: str | bytes) -> JournalRecord:
    return _decoder.decode(data)

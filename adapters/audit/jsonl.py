"""The audit trail as a JSON-lines file: one line per order action, on disk before the reply."""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path

import msgspec

from domain.safety import AuditEntry

_CHUNK = 64 * 1024
_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(AuditEntry)


class JsonlAuditLog:
    """Appends entries to ``path`` (mode 0600), each flushed and fsynced before ``append`` returns.

    Writes run in a worker thread, one at a time, so the event loop never waits on the disk and
    lines never interleave. Lines that do not parse (a torn write after a crash) are skipped
    when reading.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = asyncio.Lock()

    async def append(self, entry: AuditEntry) -> None:
        line = _encoder.encode(entry) + b"\n"
        async with self._lock:
            await asyncio.to_thread(self._write, line)

    async def recent(self, limit: int) -> list[AuditEntry]:
        """The last ``limit`` entries, newest first."""
        if limit <= 0:
            return []
        want = limit
        while True:
            async with self._lock:
                lines = await asyncio.to_thread(self._tail, want)
            entries = []
            for line in reversed(lines):
                try:
                    entries.append(_decoder.decode(line))
                except msgspec.DecodeError:
                    continue
            if len(entries) >= limit or len(lines) < want:
                return entries[:limit]
            want += limit - len(entries)  # torn lines were skipped: read a little further back

    def _write(self, line: bytes) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            # An existing file keeps its mode on open: tighten it if someone loosened it.
            status = os.fstat(fd)
            if stat.S_IMODE(status.st_mode) & 0o077:
                os.fchmod(fd, 0o600)
            # After a crash mid-write the file ends in a torn line: start on a fresh one.
            if status.st_size and os.pread(fd, 1, status.st_size - 1) != b"\n":
                line = b"\n" + line
            view = memoryview(line)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)

    def _tail(self, limit: int) -> list[bytes]:
        """The last ``limit`` non-empty lines, oldest first, reading backwards in chunks."""
        try:
            handle = self.path.open("rb")
        except FileNotFoundError:
            return []
        with handle:
            end = handle.seek(0, os.SEEK_END)
            data = b""
            while end > 0 and data.count(b"\n") <= limit:
                start = max(0, end - _CHUNK)
                handle.seek(start)
                data = handle.read(end - start) + data
                end = start
        lines = data.split(b"\n")
        if end > 0:
            lines = lines[1:]  # the first one may be cut off by the chunk boundary
        # The last one is empty, or a torn write that has no newline yet.
        return [line for line in lines[:-1] if line.strip()][-limit:]

"""Does a TWS API socket really accept clients? A TCP probe that sees through forwarders.

A plain ``connect()`` is not enough: Docker's port proxy (and the socat inside the gnzsnz image)
accept the connection on the host and close it at once while nothing listens behind them, e.g.
while IB Gateway still waits for its login. The TWS API server instead keeps a fresh connection
open, silently waiting for the client's handshake. So: connect, then hold the connection for a
moment; closed straight away means "not there yet".
"""

from __future__ import annotations

import asyncio
import contextlib


async def api_accepts(
    host: str, port: int, *, connect_timeout: float = 1.0, hold: float = 0.25
) -> bool:
    """True when ``host:port`` accepts a TCP connection and keeps it open for ``hold`` seconds."""
    try:
        async with asyncio.timeout(connect_timeout):
            reader, writer = await asyncio.open_connection(host, port)
    except (OSError, TimeoutError):
        return False
    try:
        async with asyncio.timeout(hold):
            data = await reader.read(1)
    except TimeoutError:
        return True  # held open and silent: a server waiting for the client's handshake
    except OSError:
        return False  # reset by the peer
    else:
        return bool(data)  # b"" means closed at once: a forwarder with nothing behind it
    finally:
        writer.close()
        with contextlib.suppress(OSError, TimeoutError):
            async with asyncio.timeout(1.0):
                await writer.wait_closed()

"""The service's listening socket, bound before anything starts.

uvicorn binds only after the app's start-up (which starts the gateway, maybe a Docker
container and a 2FA login): a port already in use would be found last, after all of that.
Binding first finds it at once, and the socket is handed to uvicorn, so no other process can
take the port in between.
"""

from __future__ import annotations

import socket


class PortUnavailable(OSError):
    """The address cannot be listened on, in words an operator can act on."""


def listening_socket(host: str, port: int) -> socket.socket:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host.strip("[]"), port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        raise PortUnavailable(f"Cannot listen on {host}:{port}: {exc.strerror}") from None
    sock = socket.socket(family, kind, proto)
    try:
        # As uvicorn does: a restart need not wait for the old connections' TIME_WAIT.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        hint = (
            "another process listens there (another ibkr-mcp?); stop it or choose --port"
            if exc.errno == 98  # EADDRINUSE
            else "choose another --host or --port"
        )
        raise PortUnavailable(f"Cannot listen on {host}:{port}: {exc.strerror}; {hint}") from None
    sock.set_inheritable(True)
    return sock

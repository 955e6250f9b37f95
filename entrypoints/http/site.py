"""Which sites may talk to the service: the Host a request names and the Origin it comes from.

A browser page on any site can send a request to a service on the user's own machine: a form
or ``fetch`` with ``Content-Type: text/plain`` goes out without a CORS preflight, and DNS
rebinding makes a foreign name resolve to 127.0.0.1. Two headers tell such requests apart:

- ``Host`` must name this service: a loopback name, ``--host``, a name in ``--allowed-hosts``,
  or the address the connection arrived on; a foreign Host answers 421, on /mcp as anywhere.
  The rule is FastMCP's (a test holds the two to the same answers), written out so that
  serving REST does not wait for FastMCP to be imported; /mcp leaves FastMCP's own guard out
  rather than check the same headers twice.
- ``Origin``, when present (browsers send it on every cross-site request and on same-origin
  POSTs), must be this service's own origin (scheme and Host of the request) or one of
  ``--allowed-origins``; else 403. Requests without it (curl, SDKs, agents) pass.

CORS is off unless ``--allowed-origins`` names origins: then Litestar's CORS middleware
answers their preflights, and their pages may read the answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from ipaddress import ip_address
from typing import Any
from urllib.parse import urlsplit

from litestar.config.cors import CORSConfig

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
# What a browser may send cross-site once CORS allows an origin: our verbs and headers only.
CORS_METHODS = ["GET", "POST", "PATCH", "DELETE", "OPTIONS"]
CORS_HEADERS = [
    "Authorization",
    "Content-Type",
    "Idempotency-Key",
    "Confirmation-Token",
    "X-Request-ID",
    "Mcp-Session-Id",
    "Mcp-Protocol-Version",
    "Last-Event-ID",
]
CORS_EXPOSED = ["Mcp-Session-Id", "Retry-After", "X-Request-ID", "WWW-Authenticate"]
_DEFAULT_PORTS = {"http": 80, "https": 443}
# A WebSocket handshake's scope says ws/wss; the page it comes from is http/https.
_PAGE_SCHEMES = {"http": "http", "https": "https", "ws": "http", "wss": "https"}


@dataclass(frozen=True)
class SitePolicy:
    """The hosts and origins a request may name, beyond loopback and its own origin."""

    allowed_hosts: tuple[str, ...] = ()
    allowed_origins: tuple[str, ...] = ()
    _cors: CORSConfig | None = field(init=False, repr=False, compare=False)
    _host_answers: dict[tuple[str | None, str | None], bool] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        cors = None
        if self.allowed_origins:
            cors = CORSConfig(
                allow_origins=list(self.allowed_origins),
                allow_methods=list(CORS_METHODS),  # type: ignore[arg-type]
                allow_headers=list(CORS_HEADERS),
                expose_headers=list(CORS_EXPOSED),
            )
        object.__setattr__(self, "_cors", cors)

    @classmethod
    def serving(
        cls, host: str, allowed_hosts: Iterable[str] = (), allowed_origins: Iterable[str] = ()
    ) -> SitePolicy:
        """The policy of a service bound to ``host`` (a wildcard address names no host)."""
        hosts = [*allowed_hosts]
        if host not in ("0.0.0.0", "::", ""):
            hosts.append(host)
        return cls(tuple(dict.fromkeys(hosts)), tuple(allowed_origins))

    @property
    def cors(self) -> CORSConfig | None:
        """Litestar's CORS for the allowed origins; None (no CORS headers at all) without."""
        return self._cors

    async def host_allowed(self, scope: Mapping[str, Any]) -> bool:
        # The answer depends on the Host header and the address served on only: remember it
        # (a few entries; bounded, as a client may send any Host).
        server = scope.get("server")
        key = (header(scope, b"host"), server[0] if server else None)
        known = self._host_answers.get(key)
        if known is None:
            known = host_matches(key[0] or "", self.hosts_for(key[1]))
            if len(self._host_answers) >= 256:
                self._host_answers.clear()
            self._host_answers[key] = known
        return known

    def hosts_for(self, server_host: str | None) -> tuple[str, ...]:
        """The Host patterns a request arriving on ``server_host`` may name: loopback names,
        the allowed hosts, and that address itself unless it is a wildcard (0.0.0.0, ::)."""
        hosts = (*LOOPBACK_HOSTS, *self.allowed_hosts)
        if server_host and not _is_unspecified(server_host):
            hosts = (*hosts, server_host)
        return hosts

    def origin_allowed(self, scope: Mapping[str, Any], origin: str) -> bool:
        """``origin`` is the request's own origin, or one the operator allowed."""
        scheme = _PAGE_SCHEMES.get(scope.get("scheme", "http"), "http")
        own = _origin_key(f"{scheme}://{header(scope, b'host') or ''}")
        if own is not None and _origin_key(origin) == own:
            return True
        return self._cors is not None and self._cors.is_origin_allowed(origin.strip().lower())


def header(scope: Mapping[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def _origin_key(origin: str) -> tuple[str, str, int] | None:
    """Scheme, host and port of a serialized origin (``null`` or garbage: None)."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if not parts.hostname or scheme not in _DEFAULT_PORTS or parts.path not in ("", "/"):
        return None
    return scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[scheme]


def host_matches(host: str, patterns: Iterable[str]) -> bool:
    """``host`` (a Host header, port and brackets stripped, any case) matches a pattern
    (``*`` wildcards, as in ``--allowed-hosts``)."""
    name = _host_name(host)
    return any(
        (pattern := _host_name(allowed)) == "*" or fnmatchcase(name, pattern)
        for allowed in patterns
    )


def _host_name(host: str) -> str:
    host = host.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        return host if end == -1 else host[1:end]
    if host.count(":") == 1:  # name:port; a bare IPv6 address has more colons
        return host.rsplit(":", 1)[0]
    return host


def _is_unspecified(host: str) -> bool:
    name = _host_name(host)
    if not name:
        return True
    try:
        return ip_address(name).is_unspecified
    except ValueError:
        return False

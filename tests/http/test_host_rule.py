"""The service's Host rule is FastMCP's: the same answer for every Host, allowed list and
address served on, so REST, /docs and /mcp (which leaves FastMCP's own guard out in the
service: this rule answers for it) answer as a FastMCP server would.

The service writes the rule out (``entrypoints/http/site.py``) so that serving REST does not
wait for FastMCP's import; FastMCP's guard is the oracle here.
"""

from __future__ import annotations

from typing import Any

from fastmcp.server.http import HostOriginGuardMiddleware
from hypothesis import given, settings
from hypothesis import strategies as st

from entrypoints.http.site import LOOPBACK_HOSTS, SitePolicy

NAMES = ["127.0.0.1", "localhost", "LocalHost", "::1", "[::1]", "0.0.0.0", "::", "10.0.0.5",
         "example.com", "api.example.com", "evil.example.com.attacker.net", "", " ", "[::1",
         "127.0.0.2", "*", "*.example.com", "a:b:c", "[fe80::1]"]  # fmt: skip
PORTS = ["", ":8000", ":80", ":*", ":x"]
hosts = st.builds(lambda n, p: n + p, st.sampled_from(NAMES), st.sampled_from(PORTS)) | st.text(
    alphabet="abc.:[]*-019", max_size=12
)
servers = st.none() | st.sampled_from(["127.0.0.1", "0.0.0.0", "::", "10.0.0.5", "::1"])


async def _fastmcp_says(host: str, allowed: list[str], server: str | None) -> bool:
    refused = False

    async def app(scope: Any, receive: Any, send: Any) -> None:
        return None

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal refused
        refused = refused or message["type"] == "http.response.start"

    guard = HostOriginGuardMiddleware(
        app, allowed_hosts=[*LOOPBACK_HOSTS, *allowed], allowed_origins=["*"], mode="strict"
    )
    await guard(_scope(host, server), receive, send)
    return not refused


def _scope(host: str, server: str | None) -> dict[str, Any]:
    return {
        "type": "http",
        "method": "GET",
        "path": "/",
        "headers": [(b"host", host.encode("latin-1"))],
        "server": (server, 8000) if server else None,
        "scheme": "http",
    }


@settings(max_examples=400, deadline=None)
@given(host=hosts, allowed=st.lists(hosts, max_size=3), server=servers)
async def test_the_host_rule_answers_as_fastmcps_guard(
    host: str, allowed: list[str], server: str | None
) -> None:
    ours = await SitePolicy(tuple(allowed)).host_allowed(_scope(host, server))
    assert ours == await _fastmcp_says(host, allowed, server), (host, allowed, server)


async def test_foreign_and_rebound_hosts_are_refused_loopback_and_allowed_pass() -> None:
    policy = SitePolicy(("api.example.com", "*.internal"))
    for host, expected in [
        ("127.0.0.1:8000", True),
        ("[::1]:8000", True),
        ("LOCALHOST", True),
        ("api.example.com", True),
        ("db.internal:5432", True),
        ("evil.example.com", False),
        ("127.0.0.1.nip.io", False),
        ("", False),
    ]:
        assert await policy.host_allowed(_scope(host, "127.0.0.1")) is expected, host

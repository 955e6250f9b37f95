"""Structured logging: structlog for our code and stdlib loggers (ib_async, uvicorn) alike.

Everything goes to stderr (stdout belongs to the MCP stdio protocol), as JSON or for a
terminal, through one redaction step that removes every configured secret and any value
whose key looks like a credential.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import sys
import uuid
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any, TextIO

import structlog

from application.redaction import REDACTED, Redactor
from entrypoints.secrets import SECRETS

_SENSITIVE_KEY = re.compile(r"pass(word)?|secret|token|authorization|api[_-]?key|credential", re.I)
# "password=...", "TWS_PASSWORD: ..." and bearer tokens inside free text.
_INLINE = re.compile(
    r"(?i)((?:pass(?:word)?|secret|token|api[_-]?key)[\"']?\s*[=:]\s*[\"']?)([^\s\"',;&]+)"
    r"|(bearer\s+)([A-Za-z0-9._~+/=-]+)"
)


class SecretRedactor:
    """A structlog processor that scrubs secrets from every event before it is rendered.

    ``known`` is the service's one ``Redactor`` of configured secret values (shared with the
    audit trail, error bodies and MCP tool errors); on top of it, log lines also lose values
    whose key looks like a credential and ``password=...`` or bearer tokens in free text.
    """

    def __init__(self, secrets: Iterable[str] = (), *, known: Redactor | None = None) -> None:
        self.known = known if known is not None else Redactor()
        self.known.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        self.known.add(secrets)

    def scrub(self, value: Any, key: str = "") -> Any:
        if key and _SENSITIVE_KEY.search(key) and value not in (None, "", False):
            return REDACTED
        if isinstance(value, str):
            return _INLINE.sub(_inline_replacement, self.known.text(value))
        if isinstance(value, dict):
            return {self.known(k): self.scrub(v, str(k)) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self.scrub(v) for v in value)
        return value

    def __call__(self, _logger: Any, _method: str, event: MutableMapping[str, Any]) -> Any:
        for key in list(event):
            event[key] = self.scrub(event[key], key if key != "event" else "")
        return event


def _inline_replacement(match: re.Match[str]) -> str:
    if match.group(1) is not None:
        return f"{match.group(1)}{REDACTED}"
    return f"{match.group(3)}{REDACTED}"


REDACTOR = SecretRedactor(known=SECRETS)
# FastMCP logs through the standard logging module, no Rich console of its own, no banner, and
# never asks PyPI for a newer version (the service may run without a network): these hold
# whatever the environment says.
_FASTMCP_SETTINGS = {
    "log_enabled": "false",
    "enable_rich_logging": "false",
    "enable_rich_tracebacks": "false",
    "show_server_banner": "false",
    "check_for_updates": "off",
}
# Nor does it make OpenTelemetry spans by default: the service sets up no OTel SDK, so they
# were no-ops that cost every MCP call (about a tenth of its Python calls). "propagation_only",
# not "off": FastMCP 4.2 still builds every span's attributes when off; this mode skips them
# and only passes on a trace context a caller sends in _meta. An operator who adds an SDK
# sets FASTMCP_TELEMETRY_MODE=native, which is kept; a value FastMCP would refuse (its
# import, and with it the MCP door, would fail) is replaced by the default, with a warning.
_FASTMCP_DEFAULTS = {"telemetry_mode": "propagation_only"}
_FASTMCP_CHOICES = {"telemetry_mode": ("native", "propagation_only", "off")}
_BOOLS = ("true", "false")


def configure_logging(
    *,
    log_format: str = "auto",
    level: str = "INFO",
    secrets: Iterable[str] = (),
    stream: TextIO | None = None,
) -> None:
    """Set up structlog and route stdlib logging through the same processors."""
    stream = stream or sys.stderr
    REDACTOR.add(secrets)
    if log_format == "auto":
        log_format = "console" if stream.isatty() else "json"
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        REDACTOR,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if log_format == "json"
        else structlog.dev.ConsoleRenderer(colors=stream.isatty())
    )
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared[:-2],
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared[:-2],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            REDACTOR,
            renderer,
        ],
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_ibkr_mcp", False):
            root.removeHandler(old)
    handler._ibkr_mcp = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
    # Python's warnings are log records too: in JSON mode nothing else may reach stderr.
    logging.captureWarnings(True)
    # uvicorn and FastMCP install their own handlers (FastMCP's, when it is imported, logs
    # tool arguments at DEBUG, unredacted, as Rich-formatted text): let their records flow
    # through ours instead. FastMCP reads FASTMCP_* once, at import, which is not here: it
    # is a good part of start-up that REST does not wait for (entrypoints/http/mcp_door.py).
    # One imported already (tests, an app that embeds the service) is set now.
    for key, value in _FASTMCP_SETTINGS.items():
        os.environ[f"FASTMCP_{key.upper()}"] = value
    refused = []
    for key, value in _FASTMCP_DEFAULTS.items():
        name = f"FASTMCP_{key.upper()}"
        given = os.environ.setdefault(name, value)
        if given.lower() not in _FASTMCP_CHOICES[key]:
            refused.append((name, given))
            os.environ[name] = value
    fastmcp = sys.modules.get("fastmcp")
    if fastmcp is not None:
        for key in (*_FASTMCP_SETTINGS, *_FASTMCP_DEFAULTS):
            value = os.environ[f"FASTMCP_{key.upper()}"]
            setattr(fastmcp.settings, key, value.lower() == "true" if value in _BOOLS else value)

    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "fastmcp"):
        lg = logging.getLogger(name)
        lg.handlers.clear()
        lg.propagate = True
    logging.getLogger("fastmcp").setLevel(logging.NOTSET)  # the service's level applies
    for name, given in refused:
        structlog.get_logger("ibkr_mcp.settings").warning(
            "settings.fastmcp_value_refused",
            variable=name,
            value=given[:40],
            message=f"{name} takes {', '.join(_FASTMCP_CHOICES[name[8:].lower()])}; "
            f"{os.environ[name]} is used",
        )
    # ib_async logs every message at INFO/DEBUG; keep its chatter at WARNING unless debugging.
    if level.upper() != "DEBUG":
        logging.getLogger("ib_async").setLevel(logging.WARNING)


ASGIApp = Callable[..., Awaitable[None]]


def request_context_middleware(app: ASGIApp) -> ASGIApp:
    """Bind a request id (the caller's ``X-Request-ID`` or a new one) to every log line."""

    async def middleware(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope) or uuid.uuid4().hex[:16]

        async def send_with_id(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        with structlog.contextvars.bound_contextvars(
            request_id=request_id,
            method=printable(scope.get("method") or ""),
            path=printable(scope.get("path") or ""),
        ):
            await app(scope, receive, send_with_id)

    return middleware


MAX_LOGGED = 200


def printable(text: str, limit: int = MAX_LOGGED) -> str:
    """``text`` safe for a log line: control and non-ASCII characters escaped, length capped.

    Paths and header values come from callers; unescaped they could forge log lines or
    terminal escapes. Secrets go first: escaped or cut, they would no longer be recognised.
    """
    known = REDACTOR.known
    return _printable(text, limit, known, known.pattern_id)


@functools.lru_cache(maxsize=512)
def _printable(text: str, limit: int, known: Redactor, _generation: int) -> str:
    # Paths repeat: a request's path is logged twice or more, and most requests share a
    # few paths. The secrets' generation is part of the key, so a secret added later still
    # redacts what it matches.
    escaped = known.text(text).encode("unicode_escape").decode("ascii")
    escaped = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in escaped)
    return escaped if len(escaped) <= limit else escaped[:limit] + "..."


_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def _incoming_request_id(scope: dict[str, Any]) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            # Only a well-formed id is echoed into logs and headers; anything else is replaced.
            return text if _REQUEST_ID.match(text) else None
    return None

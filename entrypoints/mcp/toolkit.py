"""How a tool is made here: error mapping, annotations, and output schemas from the domain.

Tools return ``msgspec.to_builtins`` of a domain struct, and advertise as output schema the
JSON Schema msgspec derives from that same struct: the schema cannot drift from the data.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

import msgspec
from fastmcp.exceptions import ToolError
from fastmcp.tools import tool
from mcp.types import ToolAnnotations

from domain.errors import DomainError
from entrypoints.mcp.errors import explain, explain_validation

# stdlib logging, not structlog's default: unconfigured, structlog prints to stdout, which
# belongs to the protocol under stdio. The service's logging setup routes this to stderr.
log = logging.getLogger("ibkr_mcp.mcp")

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])

# Queries: read-only, repeatable. ``broker`` ones reach IB (the open world).
READ_BROKER = ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=True)
READ_LOCAL = ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False)


def schema_of(struct: type[msgspec.Struct]) -> dict[str, Any]:
    """The JSON Schema of a struct with the struct itself at the root (MCP wants an object)."""
    schema = msgspec.json.schema(struct)
    defs: dict[str, Any] = schema.get("$defs", {})
    name = schema["$ref"].rsplit("/", 1)[-1]
    root = dict(defs[name])
    others = {key: value for key, value in defs.items() if key != name}
    if others:
        root["$defs"] = others
    return root


def ibkr_tool(
    *,
    annotations: ToolAnnotations,
    output: type[msgspec.Struct],
    title: str | None = None,
    fill: dict[str, object] | None = None,
) -> Callable[[F], F]:
    """Mark an async function as a tool named after it; domain errors become tool errors.

    The docstring is the tool's description; ``fill`` replaces ``{name}`` placeholders in it
    with values only known when the server is built (limits).
    """

    def decorate(fn: F) -> F:
        name = fn.__name__
        description = inspect.getdoc(fn) or ""
        for key, value in (fill or {}).items():
            description = description.replace("{" + key + "}", str(value))

        @functools.wraps(fn)
        async def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return await fn(*args, **kwargs)
            except ToolError:
                raise
            except DomainError as exc:
                log.info("mcp tool %s: %s: %s", name, exc.code, exc.message)
                # No secret leaves: the server's RedactedErrors middleware sees every error.
                raise ToolError(explain(exc), log_level=logging.INFO) from None
            except msgspec.ValidationError as exc:
                log.info("mcp tool %s: invalid_request: %s", name, exc)
                raise ToolError(explain_validation(exc), log_level=logging.INFO) from None
            except Exception:
                log.exception("mcp tool %s crashed", name)
                raise ToolError(
                    f"internal_error: {name} failed unexpectedly; the error was logged. "
                    "Retry once; if it fails again check get_health."
                ) from None

        decorated = tool(
            name=name,
            title=title,
            description=description,
            annotations=annotations,
            output_schema=schema_of(output),
        )(guarded)
        return decorated  # type: ignore[return-value]

    return decorate


def to_result(value: msgspec.Struct) -> dict[str, Any]:
    """A domain struct as the JSON-ready dict a tool returns (UNSET fields left out)."""
    return cast(dict[str, Any], msgspec.to_builtins(value))

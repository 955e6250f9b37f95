"""The MCP door's tools, rendered from the catalog: one ``OperationTool`` per operation.

A tool's input schema is the JSON Schema msgspec derives from the operation's input struct
(plus its MCP extras), written compactly (``compact``: an agent reads every byte of
``tools/list``), its output schema that of the result (when the server advertises output
schemas), its annotations follow the operation's nature. Arguments are decoded by the catalog's decoder, strictly: a quantity sent
as the string "1" is refused, not coerced. Errors become tool errors an agent can act on.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from typing import Any, cast

import msgspec
from fastmcp.exceptions import ToolError
from fastmcp.tools import Tool, ToolResult
from mcp.types import TextContent, ToolAnnotations
from mcp.types import Tool as MCPTool
from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from application.container import Services
from domain.errors import DomainError, InvalidRequest
from entrypoints.catalog import CATALOG
from entrypoints.catalog.decode import decode_input, decode_value
from entrypoints.catalog.details import brief
from entrypoints.catalog.operation import Call, Effect, Operation, ResultLimits
from entrypoints.catalog.paging import page_arguments, page_result
from entrypoints.catalog.schema import extra_schema, inline, struct_schema
from entrypoints.logging import REDACTOR
from entrypoints.mcp.caller import mcp_caller
from entrypoints.mcp.elicitation import confirm
from entrypoints.mcp.errors import explain
from entrypoints.mcp.progress import mcp_progress
from entrypoints.toolsets import EVERY_TOOL, ToolSelection

# stdlib logging, not structlog's default: unconfigured, structlog prints to stdout, which
# belongs to the protocol under stdio. The service's logging setup routes this to stderr.
log = logging.getLogger("ibkr_mcp.mcp")
INT32_MAX = 2**31 - 1


class OperationTool(Tool):
    """A tool that runs one operation of the catalog against the services."""

    operation: SkipJsonSchema[Any] = Field(exclude=True)
    services: SkipJsonSchema[Any] = Field(exclude=True)
    limits: SkipJsonSchema[Any] = Field(exclude=True)

    @classmethod
    def of(
        cls,
        op: Operation,
        services: Services,
        limits: ResultLimits,
        *,
        with_output_schema: bool = True,
        described_by: str | None = None,
    ) -> OperationTool:
        """``described_by``: the offered tool that describes this one's arguments (the
        operation's ``mcp.same_input_as``, when offered); this one lists them undescribed."""
        description = brief(op.description)
        if op.mcp.note:
            description += "\n\n" + op.mcp.note.format(**dataclasses.asdict(limits))
        parameters = input_schema(op)
        if described_by is not None:
            description += f"\n\nArguments: as {described_by}'s."
            parameters = undescribed(parameters)
        return cls(
            name=op.name,
            title=op.title,
            description=description,
            parameters=parameters,
            output_schema=output_schema(op) if with_output_schema else None,
            annotations=tool_annotations(op),
            operation=op,
            services=services,
            limits=limits,
        )

    def to_mcp_tool(self, **overrides: Any) -> MCPTool:
        # FastMCP's own _meta holds only our tags, which are none: bytes for every agent to read.
        meta = self.get_meta()
        if meta.get("fastmcp") == {"tags": []}:
            del meta["fastmcp"]
        overrides.setdefault("_meta", meta or None)
        return super().to_mcp_tool(**overrides)

    async def run(self, arguments: dict[str, Any]) -> ToolResult:
        op: Operation = self.operation
        try:
            args, extras = decode_arguments(op, arguments)
            caller = mcp_caller()
            extras = await confirm(op, args, extras, self.services, caller)
            progress = mcp_progress() if op.reports_progress else None
            result = await op.call(args, Call(self.services, caller, extras, progress))
            return tool_result(answer(op, result, self.limits, args, extras))
        except DomainError as exc:
            log.info("mcp tool %s: %s: %s", op.name, exc.code, exc.message)
            raise ToolError(REDACTOR.known(explain(exc)), log_level=logging.INFO) from None
        except Exception:
            log.exception("mcp tool %s crashed", op.name)
            raise ToolError(
                f"internal_error: {op.name} failed unexpectedly; the error was logged. "
                "Retry once; if it fails again check get_health."
            ) from None


def operation_tools(
    services: Services,
    *,
    limits: ResultLimits,
    read_only: bool,
    selection: ToolSelection = EVERY_TOOL,
    output_schemas: bool = True,
    operations: tuple[Operation, ...] = CATALOG,
) -> list[OperationTool]:
    """One tool per operation the selection offers; ``read_only`` leaves out those that
    change anything. A tool taking another offered tool's input leaves its description to
    that one (``Mcp.same_input_as``): the arguments are described once in ``tools/list``."""
    offered = [
        op
        for op in operations
        if (op.nature.offered_read_only or not read_only) and selection.offers(op)
    ]
    names = {op.name for op in offered}
    return [
        OperationTool.of(
            op,
            services,
            limits,
            with_output_schema=output_schemas,
            described_by=op.mcp.same_input_as if op.mcp.same_input_as in names else None,
        )
        for op in offered
    ]


def decode_arguments(op: Operation, arguments: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    extras = {e.name: e for e in op.extras if e.mcp}
    given = {name: value for name, value in arguments.items() if name not in extras}
    decoded = {
        name: decode_value(arguments[name], extra.type, name, strict=True)
        for name, extra in extras.items()
        if arguments.get(name) is not None
    }
    if op.input is None:
        if given:
            raise InvalidRequest(
                f"{op.name} takes no arguments; got {', '.join(given)}", field=next(iter(given))
            )
        return None, decoded
    return decode_input(op.input, given, strict=True, root="arguments"), decoded


def tool_result(structured: dict[str, Any]) -> ToolResult:
    """A result as the tool returns it: the structured content and, for clients that read
    text, the same JSON in a text block, encoded here once (FastMCP would encode the dict
    again through pydantic)."""
    text = msgspec.json.encode(structured).decode()
    return ToolResult(content=[TextContent(type="text", text=text)], structured_content=structured)


def answer(
    op: Operation,
    result: Any,
    limits: ResultLimits,
    args: Any = None,
    extras: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The structured content of a result: one page of a paged list (by default one that
    stays under about 20 KB), shaped to the limits, a list wrapped in an object."""
    page = None
    if op.paging is not None:
        limit, cursor = page_arguments(args, extras or {})
        size = limit if limit is not None else op.paging.mcp_default
        if op.paging.cap is not None:  # the server's own limit (build_mcp's max_bars, ...)
            size = min(size, getattr(limits, op.paging.cap))
        result, page = page_result(result, op.paging, size, cursor, door_default=None)
    if op.mcp.shape is not None:
        result = op.mcp.shape(result, limits)
    content = msgspec.to_builtins(result)
    if op.mcp.list_key is not None:
        wrapped = {op.mcp.list_key: content, "count": len(content)}
        if page is not None and page.next_cursor is not None:
            wrapped |= {"total": page.total, "next_cursor": page.next_cursor}
        return wrapped
    return cast(dict[str, Any], content)


def input_schema(op: Operation) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": {}}
    if op.input is not None:
        # The struct's own docstring is for Python readers; the tool description says it.
        # Unknown arguments are refused by the decoder, naming them: the top level's
        # additionalProperties would repeat that in every tool (nested objects keep theirs).
        schema = {
            k: v
            for k, v in struct_schema(op.input).items()
            if k not in ("title", "description", "additionalProperties")
        }
    for extra in op.extras:
        if extra.mcp:
            schema["properties"][extra.name] = extra_schema(extra)
    return cast(dict[str, Any], compact(schema))


def compact(schema: Any) -> Any:
    """The same rules in fewer bytes, every ``tools/list`` reader pays for each one.

    An optional argument is one to leave out, as on REST: ``anyOf: [X, null]`` with a null
    default becomes ``X`` (the decoder still takes an explicit null as absent). A
    description loses its details part (``catalog.details``: REST documents them). Examples
    are dropped where they say nothing the schema or the description does not: those of a
    number, an integer, a boolean, an enum, a list of numbers or a string with a pattern, and
    those the description already shows. An
    empty ``required`` goes too, and so do the guards (``is_guard``).
    """
    if isinstance(schema, list):
        return [compact(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    branches = schema.get("anyOf")
    if isinstance(branches, list) and len(branches) == 2 and {"type": "null"} in branches:
        kept = next(branch for branch in branches if branch != {"type": "null"})
        rest = {k: v for k, v in schema.items() if k != "anyOf"}
        if rest.get("default", ...) is None:
            del rest["default"]
        # The field's own words (description, default) win over the type's (a struct's doc).
        schema = {**{k: v for k, v in kept.items() if k != "title"}, **rest}
    if isinstance(schema.get("description"), str):
        schema = {**schema, "description": brief(schema["description"])}
    if "examples" in schema and not _examples_tell(schema):
        schema = {k: v for k, v in schema.items() if k != "examples"}
    if schema.get("required") == []:
        schema = {k: v for k, v in schema.items() if k != "required"}
    schema = {k: v for k, v in schema.items() if not is_guard(k, v, schema)}
    return {
        key: value
        if key in ("enum", "const", "default", "examples", "required")
        else compact(value)
        for key, value in schema.items()
    }


def is_guard(key: str, value: Any, schema: dict[str, Any]) -> bool:
    """A bound that keeps the service safe and that no real value comes near: a string's
    length cap (a symbol of 32 characters), a number's finite ceiling (1e15) or an id's
    32-bit range (an order id's 2**31 - 2 is a rule: 2**31 - 1 is IB's unset). The decoder
    still enforces it, with an error naming it; a bound a caller can meet (a page size, an
    id, a count) is no guard."""
    if key == "maxLength":
        return True
    if key == "maximum" and value == INT32_MAX:  # the wire type's range: every IB id fits
        return True
    ceiling = key in ("maximum", "exclusiveMaximum") and schema.get("type") == "number"
    return ceiling and isinstance(value, int | float) and value >= 1e9


def _examples_tell(schema: dict[str, Any]) -> bool:
    """Whether a schema's examples show something its type, enum and description do not."""
    if "enum" in schema or schema.get("type") in ("number", "integer", "boolean"):
        return False
    if "pattern" in schema or schema.get("items", {}).get("type") in ("number", "integer"):
        return False  # the pattern and the description say the format; numbers are numbers
    examples = schema["examples"]
    if not isinstance(examples, list):
        return True
    shown = str(schema.get("description", ""))
    values = [v for e in examples for v in (e if isinstance(e, list) else [e])]
    return not all(isinstance(v, str | int | float) and str(v) in shown for v in values)


def undescribed(schema: Any) -> Any:
    """A schema without its descriptions (nested ones too), its rules kept."""
    if isinstance(schema, list):
        return [undescribed(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    kept: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "properties":  # names, not keywords: a field may be called description
            kept[key] = {name: undescribed(field) for name, field in value.items()}
        elif key in ("enum", "const", "default", "examples"):
            kept[key] = value
        elif key != "description":
            kept[key] = undescribed(value)
    return kept


def output_schema(op: Operation) -> dict[str, Any]:
    """The result's schema, with the struct at the root (MCP wants an object)."""
    output = op.mcp.output if op.mcp.output is not None else op.output
    schema = msgspec.json.schema(output)
    definitions = schema.pop("$defs", {})
    if op.mcp.list_key is not None:
        root: dict[str, Any] = {
            "type": "object",
            "properties": {op.mcp.list_key: schema, "count": {"type": "integer", "minimum": 0}},
            "required": [op.mcp.list_key, "count"],
        }
        if op.paging is not None:  # set when the page leaves items out
            root["properties"] |= {
                "total": {"type": "integer", "minimum": 0},
                "next_cursor": {"type": "string"},
            }
    else:
        name = schema["$ref"].rsplit("/", 1)[-1]
        root = dict(definitions.pop(name))
    if definitions:  # references inlined, as in input schemas: not every client resolves them
        root = inline({**root, "$defs": definitions})
    return root


def tool_annotations(op: Operation) -> ToolAnnotations:
    """The hints of the operation's nature; those that say nothing are left unsaid.

    MCP reads destructive and idempotent only for a tool that is not read-only, and takes an
    open world unless told otherwise (its defaults), so a query's hints are readOnlyHint
    (and openWorldHint false when it stays in this service)."""
    effect = op.nature.effect
    changes = effect is not Effect.READ
    return ToolAnnotations(
        read_only_hint=not changes,
        destructive_hint=effect is Effect.DESTRUCTIVE if changes else None,
        idempotent_hint=op.nature.idempotent if changes else None,
        open_world_hint=None if op.nature.reaches_ib else False,
    )

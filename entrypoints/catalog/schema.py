"""JSON Schemas of the declarations, made by msgspec: both doors publish these same schemas.

References (``$ref`` to ``$defs``) are inlined: an MCP input schema and an OpenAPI parameter
are read by clients that do not all resolve references, and the structs here are small.
"""

from __future__ import annotations

from typing import Any

import msgspec

from entrypoints.catalog.operation import Extra


def struct_schema(struct: Any) -> dict[str, Any]:
    """The schema of a struct (or a list of structs) with every reference inlined."""
    return inline(msgspec.json.schema(struct))


def field_schemas(struct: type[msgspec.Struct]) -> dict[str, dict[str, Any]]:
    """Each field's schema, by the field's name, references inlined."""
    return dict(struct_schema(struct).get("properties", {}))


def extra_schema(extra: Extra) -> dict[str, Any]:
    return inline(msgspec.json.schema(extra.type))


def without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """An optional field's schema without its ``null`` branch (and its ``null`` default): a
    query parameter or a header is absent, never null."""
    branches = schema.get("anyOf")
    if branches is not None:
        kept = [b for b in branches if b != {"type": "null"}]
        if len(kept) == 1:
            # The field's own keys (description, default) win over the value type's.
            schema = {**kept[0], **{k: v for k, v in schema.items() if k != "anyOf"}}
        elif len(kept) < len(branches):
            schema = {**schema, "anyOf": kept}
    if "enum" in schema and None in schema["enum"]:
        schema = {**schema, "enum": [v for v in schema["enum"] if v is not None]}
    if schema.get("default", ...) is None:
        schema = {k: v for k, v in schema.items() if k != "default"}
    return schema


def inline(schema: dict[str, Any]) -> dict[str, Any]:
    definitions: dict[str, Any] = schema.get("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, list):
            return [resolve(item) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            target = resolve(definitions[ref.rsplit("/", 1)[-1]])
            rest = {k: resolve(v) for k, v in node.items() if k not in ("$ref", "$defs")}
            return {**target, **rest}
        return {k: resolve(v) for k, v in node.items() if k != "$defs"}

    resolved: dict[str, Any] = resolve(schema)
    return resolved

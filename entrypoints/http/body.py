"""A JSON request body, read the catalog's way: Litestar parses it, the catalog validates it.

``InputBody[SomeInput]`` is the data DTO of a generated handler: Litestar hands its
``decode_bytes`` the raw body (an invalid JSON document is refused here, naming ``body``) and
asks it for the body's OpenAPI schema, which is the one msgspec derives from the input struct
(as the MCP door publishes it), not Litestar's own reading of the struct.
"""

from __future__ import annotations

import re
from collections.abc import Generator
from typing import Any, Generic, TypeVar

import msgspec
from litestar.dto import AbstractDTO
from litestar.openapi.spec import Reference, Schema
from litestar.typing import FieldDefinition

from domain.errors import InvalidRequest
from entrypoints.catalog.schema import struct_schema
from entrypoints.http.body_rules import repeated_key

T = TypeVar("T")
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def schema_attributes(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON Schema's top-level keys as the attribute names of Litestar's ``Schema``."""
    return {_CAMEL.sub("_", key).lower(): value for key, value in schema.items()}


class InputBody(AbstractDTO[T], Generic[T]):
    """The JSON body of an operation: Litestar hands over the parsed document (the handler
    validates it with the catalog's decoder, strictly: JSON has types), and the OpenAPI
    document shows the schema msgspec derives from the input struct."""

    @classmethod
    def generate_field_definitions(cls, model_type: type[Any]) -> Generator[Any, None, None]:
        yield from ()

    @classmethod
    def detect_nested_field(cls, field_definition: FieldDefinition) -> bool:
        return False

    @classmethod
    def create_for_field_definition(
        cls, field_definition: FieldDefinition, handler_id: str, backend_cls: Any = None
    ) -> None:
        """Nothing to prepare: no transfer model, the decoder reads the struct itself."""

    @classmethod
    def create_openapi_schema(
        cls, field_definition: FieldDefinition, handler_id: str, schema_creator: Any
    ) -> Reference | Schema:
        registry = schema_creator.schema_registry
        model = FieldDefinition.from_annotation(cls.model_type)
        component = registry.get_schema_for_field_definition(model)
        for name, value in schema_attributes(struct_schema(cls.model_type)).items():
            setattr(component, name, value)
        reference: Reference = registry.get_reference_for_field_definition(model)
        return reference

    def decode_bytes(self, value: bytes) -> Any:
        try:
            document = msgspec.json.decode(value)
        except (msgspec.DecodeError, UnicodeDecodeError) as exc:
            raise InvalidRequest(f"body is not valid JSON ({exc})", field="body") from None
        repeated = repeated_key(value)
        if repeated is not None:
            # JSON parsers disagree on which value wins: an order must not be read two ways.
            raise InvalidRequest(f"body: the key {repeated!r} is given twice", field="body")
        return document

    def decode_builtins(self, value: Any) -> Any:
        return value

"""JSON bodies decoded with msgspec's strict types: a JSON string is not a number.

Litestar converts request data in msgspec's lax mode, which is right for query strings (where
everything is text) but turns a body's ``"quantity": "1"`` into 1.0 and ``"transmit": "false"``
into False. An order must mean exactly what was sent, so the order endpoints take their body
through this DTO: ``@post(..., dto=StrictBody[OrderRequest], return_dto=None)``.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import msgspec
from litestar.dto import MsgspecDTO
from litestar.openapi.spec import Reference, Schema
from litestar.serialization import decode_json
from litestar.typing import FieldDefinition

from domain.errors import InvalidRequest

T = TypeVar("T", bound=msgspec.Struct)


class StrictBody(MsgspecDTO[T], Generic[T]):
    """Decodes the body into the struct itself, strictly; documents it as the struct."""

    def decode_bytes(self, value: bytes) -> Any:
        # Not JSON at all: Litestar's own answer (400, "body is not valid JSON").
        data = decode_json(value)
        try:
            return msgspec.convert(data, self.model_type)
        except msgspec.ValidationError as exc:
            if " - at `$." in str(exc):
                raise  # names the field; the error handler answers 400 for it
            # The body as a whole (not an object, an unknown key): say so, as Litestar would.
            raise InvalidRequest(f"body: {exc}", field="body") from exc

    @classmethod
    def create_openapi_schema(
        cls, field_definition: FieldDefinition, handler_id: str, schema_creator: Any
    ) -> Reference | Schema:
        schema: Reference | Schema = schema_creator.for_field_definition(field_definition)
        return schema

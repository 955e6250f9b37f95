"""The REST door, rendered from the catalog: one Litestar route handler per operation.

Each handler's signature is generated from its operation: the input struct's fields become
path segments (where the contract's path names them), query parameters (GET, DELETE) or the
JSON body (POST, PATCH), and the operation's REST extras become headers or query parameters.
Litestar routes, extracts the raw text and documents each parameter with the schema msgspec
derives from the declaration (``schema_extra``); the catalog's decoder converts and validates,
naming the field at fault. List parameters take ``a=1,2`` as well as ``a=1&a=2``.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, Response
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import ResponseSpec
from litestar.params import HeaderParameter, JSONBody, PathParameter, QueryParameter

from application.container import Services
from domain.errors import InvalidRequest
from domain.safety import Caller
from entrypoints.catalog import CATALOG
from entrypoints.catalog.decode import decode_input, decode_value, is_struct, list_item, unwrap
from entrypoints.catalog.operation import Call, Extra, Operation
from entrypoints.catalog.paging import page_arguments, page_result
from entrypoints.catalog.schema import extra_schema, field_schemas, without_null
from entrypoints.http.body import InputBody, schema_attributes
from entrypoints.http.docs import BEARER_SECURITY
from entrypoints.http.errors import ErrorBody, responses
from entrypoints.http.guard import caller_name

AnyRequest = Request[Any, Any, Any]
Shape = Literal["text", "list", "json"]
LIST_NOTE = " (repeat the parameter, or separate the values with commas)"
JSON_NOTE = " (a JSON object in the query string)"


@dataclass(frozen=True, slots=True)
class _Param:
    """One REST parameter of an operation: where it comes from and how to read its text."""

    name: str  # the handler's keyword and, for an input field, the field's name
    source: Literal["path", "query", "header"]
    shape: Shape
    type: Any  # the declared (annotated) type
    schema: dict[str, Any]  # the declared JSON Schema
    label: str  # how messages name it: the field, or the header's name
    extra: bool  # an Extra of the operation, not a field of its input
    required: bool = False


def operation_handlers(
    services: Services, operations: tuple[Operation, ...] = CATALOG
) -> list[HTTPRouteHandler]:
    return [_handler(op, services) for op in operations]


def rest_caller(request: AnyRequest) -> Caller:
    return Caller(name=caller_name(request.scope), transport="rest")


def rest_parameters(op: Operation) -> list[_Param]:
    """The operation's path, query and header parameters (the body is not one of them)."""
    params: list[_Param] = []
    if op.input is not None:
        in_body = op.http_method in ("POST", "PATCH")
        schemas = field_schemas(op.input)
        for info in msgspec.structs.fields(op.input):
            source: Literal["path", "query"] = "path" if info.name in op.path_fields else "query"
            if in_body and source == "query":
                continue
            shape = _shape(info.type)
            schema = schemas[info.name]
            params.append(
                _Param(info.name, source, shape, info.type, schema, info.name, False, info.required)
            )
    for extra in op.extras:
        if extra.header is not None:
            params.append(_extra(extra, "header", extra.header))
        elif extra.query:
            params.append(_extra(extra, "query", extra.name))
    return params


def has_body(op: Operation) -> bool:
    return (
        op.input is not None
        and op.http_method in ("POST", "PATCH")
        and any(info.name not in op.path_fields for info in msgspec.structs.fields(op.input))
    )


def _extra(extra: Extra, source: Literal["query", "header"], label: str) -> _Param:
    return _Param(
        extra.name, source, _shape(extra.type), extra.type, extra_schema(extra), label, True
    )


def _shape(type_: Any) -> Shape:
    core, _, _ = unwrap(type_)
    if is_struct(core):
        return "json"
    return "list" if list_item(core) is not None else "text"


def _handler(op: Operation, services: Services) -> HTTPRouteHandler:
    params = rest_parameters(op)
    body = has_body(op)
    known = frozenset(p.name for p in params if p.source == "query")

    async def handle(request: AnyRequest, **given: Any) -> Any:
        if request.query_params and not known.issuperset(request.query_params):
            _refuse_unknown(request.query_params, known)
        document = given.pop("data", None)
        args, extras = decode_request(op, params, given, document, body=body)
        result = await op.call(args, Call(services, rest_caller(request), extras))
        if op.rest.status_of is not None:
            return Response(result, status_code=op.rest.status_of(result))
        if op.paging is not None:
            limit, cursor = page_arguments(args, extras)
            result, page = page_result(
                result, op.paging, limit, cursor, door_default=op.paging.rest_default
            )
            if page is not None and page.next_cursor is not None and op.paging.items is None:
                # a bare list in the API contract stays one: its paging goes in headers
                headers = {"X-Next-Cursor": page.next_cursor, "X-Total-Count": str(page.total)}
                return Response(result, headers=headers)
        return result

    signature = [
        inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY, annotation=AnyRequest),
        *(signature_parameter(param) for param in params),
    ]
    model: Any = op.input
    if body:
        body_type: Any = JSONBody
        signature.append(
            inspect.Parameter(
                "data",
                inspect.Parameter.KEYWORD_ONLY,
                default=None,
                annotation=body_type[model | None],
            )
        )
    response: Any = Response
    returns = response[op.output] if op.rest.status_of is not None else op.output
    handle.__signature__ = inspect.Signature(signature, return_annotation=returns)  # type: ignore[attr-defined]
    handle.__annotations__ = {p.name: p.annotation for p in signature} | {"return": returns}
    handle.__name__ = handle.__qualname__ = op.name
    return HTTPRouteHandler(
        path=re.sub(r"{(\w+)}", r"{\1:str}", op.rest.path),
        http_method=op.http_method,
        operation_id=op.name,
        name=op.name,
        summary=op.title,
        description=op.description,
        tags=[op.rest.tag],
        status_code=200,
        responses=_responses(op, body=body),
        security=BEARER_SECURITY,
        dto=InputBody[model] if body else None,
        return_dto=None,
    )(handle)


def _refuse_unknown(given: Iterable[str], known: frozenset[str]) -> None:
    """A query parameter the operation does not take is refused, not ignored: a misspelt
    ``acount_id`` would otherwise answer for the default account as if it were the one asked."""
    name = next(n for n in given if n not in known)
    shown = name if len(name) <= 60 else name[:60] + "..."
    takes = ", ".join(sorted(known)) if known else "none"
    raise InvalidRequest(
        f"unknown query parameter {shown!r}; this operation takes: {takes}", field=shown
    )


def signature_parameter(param: _Param) -> inspect.Parameter:
    schema = without_null(param.schema)
    description = schema.get("description", "")
    if param.shape == "list":
        description += LIST_NOTE
    elif param.shape == "json":
        description += JSON_NOTE
    schema = {**schema, "description": description}
    options: dict[str, Any] = {
        "description": description,
        "required": param.source == "path" or param.required,
        "schema_extra": _parameter_schema(param.shape, schema),
    }
    text: Any = list[str] if param.shape == "list" else str
    kwarg: Any
    if param.source == "path":
        kwarg = PathParameter(**options)
        return inspect.Parameter(
            param.name, inspect.Parameter.KEYWORD_ONLY, annotation=Annotated[text, kwarg]
        )
    if param.source == "header":
        kwarg = HeaderParameter(name=param.label, **options)
    else:
        kwarg = QueryParameter(**options)
    return inspect.Parameter(
        param.name,
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[text | None, kwarg],
    )


def _parameter_schema(shape: Shape, schema: dict[str, Any]) -> dict[str, Any]:
    """The declared schema as Litestar ``Schema`` attributes, replacing what Litestar derives
    from the text type the handler receives. A JSON-valued parameter is a string whose
    content is the declared object (JSON Schema's contentMediaType/contentSchema)."""
    if shape == "json":
        content = {k: v for k, v in schema.items() if k not in ("description", "examples")}
        schema = {
            "type": "string",
            "contentMediaType": "application/json",
            "contentSchema": content,
            "description": schema.get("description"),
            "examples": [json.dumps(e) for e in schema.get("examples", [])] or None,
        }
    return {"one_of": None, "any_of": None, **schema_attributes(schema)}


def decode_request(
    op: Operation, params: list[_Param], given: dict[str, Any], document: Any, *, body: bool
) -> tuple[Any, dict[str, Any]]:
    """The operation's input struct and extras from the request's parameters and body."""
    fields: dict[str, Any] = {}
    extras: dict[str, Any] = {}
    for param in params:
        value = _parsed(param, given.get(param.name))
        if value is None:
            continue
        if param.extra:
            extras[param.name] = decode_value(value, param.type, param.label, strict=False)
        elif body:  # a path segment of a body operation: typed now, validated with the body
            fields[param.name] = decode_value(value, param.type, param.label, strict=False)
        else:
            fields[param.name] = value
    if op.input is None:
        return None, extras
    if body:
        if not isinstance(document, Mapping):
            raise InvalidRequest("body: a JSON object is required", field="body")
        return decode_input(op.input, {**document, **fields}, strict=True, root="body"), extras
    try:
        return decode_input(op.input, fields, strict=False, root="query"), extras
    except InvalidRequest as exc:
        # An item of a list parameter has no index in a query string: name the parameter.
        field = exc.field or ""
        for param in params:
            if param.shape == "list" and field.startswith(f"{param.name}["):
                raise InvalidRequest(exc.message, field=param.name, accepted=exc.accepted) from None
        raise


def _parsed(param: _Param, text: Any) -> Any:
    """A parameter's text as the value to validate (None: not given)."""
    if text is None:
        return None
    if param.shape == "list":
        values = text if isinstance(text, list) else [text]
        return [item.strip() for value in values for item in value.split(",") if item.strip()]
    if not isinstance(text, str) or not text.strip():
        return None  # an empty parameter is an absent one
    if param.shape == "json":
        try:
            return msgspec.json.decode(text)
        except msgspec.DecodeError as exc:
            examples = param.schema.get("examples") or [{}]
            raise InvalidRequest(
                f"{param.label} must be a JSON object such as {json.dumps(examples[0])}; {exc}",
                field=param.label,
            ) from None
    return text


def _responses(op: Operation, *, body: bool) -> dict[int, ResponseSpec]:
    errors = set(op.errors)
    if op.input is not None or op.extras:
        errors.add(InvalidRequest)
    specs = responses(*errors)
    # Refusals of the access guard (guard.py), before any route runs: the token, the body.
    specs[HTTPStatus.UNAUTHORIZED] = _guard_refusal(
        "No or wrong bearer token (only when the service runs with tokens); "
        "with a WWW-Authenticate: Bearer challenge"
    )
    if body:
        specs[HTTPStatus.REQUEST_ENTITY_TOO_LARGE] = _guard_refusal(
            "The body is larger than the service's --max-request-body (64 KiB by default)"
        )
        specs[HTTPStatus.UNSUPPORTED_MEDIA_TYPE] = _guard_refusal(
            "The body is not sent as 'Content-Type: application/json'"
        )
    specs = dict(sorted(specs.items()))
    if op.rest.status_of is not None:
        # Statuses the result decides are answered with the result itself (readiness: 503).
        specs[HTTPStatus.SERVICE_UNAVAILABLE] = ResponseSpec(
            data_container=op.output, description="Not ready", generate_examples=False
        )
    return specs


def _guard_refusal(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=ErrorBody, description=description, generate_examples=False)

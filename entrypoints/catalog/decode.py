"""Arguments into an operation's input struct, each value validated by msgspec on its own.

msgspec reports where a value failed only inside its message text. Converting field by field
(and item by item within a list, key by key within a nested struct) lets every failure name
its field from the walk itself: ``InvalidRequest(field="filters.strikes[0]")``. The struct is
then built from the converted fields, so its ``__post_init__`` rules run as usual.

A field may declare, in its ``Meta(extra=...)``:

- ``normalize``: applied to a text value before validation (case, documented aliases);
- ``format``: how to say what the field accepts when a value does not match.
"""

from __future__ import annotations

import functools
import re
import types
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

import msgspec
import msgspec.structs

from domain.errors import InvalidRequest
from entrypoints.secrets import SECRETS

S = TypeVar("S", bound=msgspec.Struct)
MAX_SHOWN = 60
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_WHOLE = re.compile(r"-?[0-9]+")


def decode_input(struct: type[S], values: Any, *, strict: bool, root: str = "arguments") -> S:
    """``values`` (a mapping of field names to values) as ``struct``.

    ``strict`` refuses a number sent as text (JSON input); without it text is converted (a
    query string has nothing else). ``root`` names the whole input in messages (``body``).
    """
    return _struct(struct, values, "", root, strict)


def decode_value(value: Any, type_: Any, field: str, *, strict: bool) -> Any:
    """One value of ``type_`` (an annotated type like an input field's), named ``field``."""
    return _value(value, type_, field, strict)


def unwrap(type_: Any) -> tuple[Any, list[msgspec.Meta], bool]:
    """The core type under ``Annotated`` and ``Optional``, the Metas found, and optionality."""
    metas: list[msgspec.Meta] = []
    optional = False
    while True:
        origin = get_origin(type_)
        if origin is Annotated:
            type_, *extras = get_args(type_)
            metas += [m for m in extras if isinstance(m, msgspec.Meta)]
        elif origin in (Union, types.UnionType):
            members = [a for a in get_args(type_) if a is not type(None)]
            optional = optional or len(members) < len(get_args(type_))
            if len(members) != 1:
                break
            type_ = members[0]
        else:
            return type_, metas, optional
    return type_, metas, optional


def is_struct(type_: Any) -> bool:
    return isinstance(type_, type) and issubclass(type_, msgspec.Struct)


def list_item(type_: Any) -> Any | None:
    """The item type of a ``list[...]`` core type, else None."""
    return get_args(type_)[0] if get_origin(type_) is list else None


@functools.cache
def _fields(struct: type[msgspec.Struct]) -> tuple[msgspec.structs.FieldInfo, ...]:
    # msgspec evaluates the annotations on every call: a quarter of a snapshot's CPU.
    return msgspec.structs.fields(struct)


def _struct(struct: type[S], values: Any, path: str, root: str, strict: bool) -> S:
    where = path or root
    if not isinstance(values, Mapping):
        raise InvalidRequest(
            f"{where}: a JSON object is required; got {_shown(values)}", field=where
        )
    fields = _fields(struct)
    known = [f.encode_name for f in fields]
    unknown = [key for key in values if key not in known]
    if unknown and struct.__struct_config__.forbid_unknown_fields:
        raise InvalidRequest(
            f"{where}: unknown key {unknown[0]!r}; {where} accepts the keys {', '.join(known)}",
            field=where,
            accepted=known,
        )
    converted: dict[str, Any] = {}
    for info in fields:
        name = f"{path}.{info.encode_name}" if path else info.encode_name
        if info.encode_name not in values:
            if info.required:
                raise InvalidRequest(f"{name}: required", field=name)
            continue  # absent: the default applies
        value = values[info.encode_name]
        if value is None and not unwrap(info.type)[2]:
            # An explicit null is not "the default": a null order_type must not become MKT.
            raise InvalidRequest(
                f"{name}: null is not accepted; leave the field out for its default", field=name
            )
        converted[info.name] = _value(value, info.type, name, strict)
    return struct(**converted)


def _value(value: Any, type_: Any, path: str, strict: bool) -> Any:
    core, metas, optional = unwrap(type_)
    hints = _hints(metas)
    given = value
    normalize: Callable[[str], str] | None = hints.get("normalize")
    if normalize is not None and isinstance(value, str):
        value = normalize(value)
    if value is None and optional:
        return None
    if isinstance(value, str) and _CONTROL.search(value):
        raise InvalidRequest(f"{path}: control characters (newlines, tabs, ...) are not accepted",
                             field=path)  # fmt: skip
    if not strict and isinstance(value, str) and core is int and not _WHOLE.fullmatch(value):
        # Text from a URL: "1e3" or "1000.0" must not become order 1000.
        raise InvalidRequest(
            f"{path}: must be a whole number (int); got {_shown(given)}", field=path
        )
    if is_struct(core) and isinstance(value, Mapping):
        return _struct(core, value, path, "", strict)
    item = list_item(core)
    if item is not None and isinstance(value, list):
        value = [_value(v, item, f"{path}[{i}]", strict) for i, v in enumerate(value)]
    try:
        return msgspec.convert(value, type_, strict=strict)
    except msgspec.ValidationError as exc:
        if isinstance(value, list):  # every item passed: the number of items did not
            raise _count(path, metas, len(value), exc) from None
        raise _invalid(path, core, hints, given, exc) from None


def _count(path: str, metas: list[msgspec.Meta], count: int, exc: Exception) -> InvalidRequest:
    most = min((m.max_length for m in metas if m.max_length is not None), default=None)
    least = max((m.min_length for m in metas if m.min_length is not None), default=0)
    if most is not None and count > most:
        problem = f"At most {most} values; got {count}"
    elif count < least:
        problem = f"At least {least} value{'s' if least > 1 else ''}; got {count}"
    else:
        problem = str(exc)
    return InvalidRequest(f"{path}: {problem}", field=path)


def _invalid(
    path: str, core: Any, hints: dict[str, Any], given: Any, exc: msgspec.ValidationError
) -> InvalidRequest:
    accepted = [str(v) for v in get_args(core)] if get_origin(core) is Literal else None
    if "format" in hints:
        problem = f"must be {hints['format']}"
    elif accepted is not None:
        problem = f"must be one of {', '.join(repr(v) for v in accepted)}"
    else:
        problem = str(exc)
    return InvalidRequest(f"{path}: {problem}; got {_shown(given)}", field=path, accepted=accepted)


def _hints(metas: list[msgspec.Meta]) -> dict[str, Any]:
    hints: dict[str, Any] = {}
    for meta in metas:
        hints.update(meta.extra or {})
    return hints


def _shown(value: Any) -> str:
    # Redacted before it is cut short: a cut secret would no longer be recognised.
    text = repr(SECRETS(value))
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "..."

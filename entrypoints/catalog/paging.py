"""List answers in pages, sized for a context window: a ``limit`` and a ``cursor``.

An operation whose answer is (or holds) a long list declares a ``Paging``: which list, the key
an item is found by again (a contract id, an execution id, a bar's time), and the page size
each door uses when the caller gives no ``limit``. The MCP door's default keeps an answer
under about 20 KB; the REST door's keeps the API contract's full answer (None: the whole
list). A page that leaves items out says so: ``next_cursor`` (the key of its last item; pass
it as ``cursor`` for the next page), ``total`` and ``truncated``. A REST answer that is a bare
list in the API contract stays one: its next cursor is the key of its last item.

Pages run forward through the list, except ``from_end`` lists (bars, oldest first), whose
first page is the latest items and whose next pages go back in time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import msgspec
import msgspec.structs
from msgspec import Meta

from domain.errors import InvalidRequest
from entrypoints.catalog.operation import Extra, Paging

MAX_CURSOR = 64


def limit_extra(paging: Paging, *, rest: bool = True) -> Extra:
    """The ``limit`` argument of a paged operation (a query parameter on REST when ``rest``)."""
    default = f"MCP: {paging.mcp_default}" + (
        "" if paging.rest_default is None else f", REST: {paging.rest_default}"
    )
    return Extra(
        "limit",
        Annotated[
            Annotated[int, Meta(ge=1, le=paging.maximum)] | None,
            Meta(description=f"Page size ({default})"),
        ],
        query=rest,
        mcp=True,
    )


def cursor_extra(*, rest: bool = True) -> Extra:
    return Extra(
        "cursor",
        Annotated[
            Annotated[str, Meta(max_length=MAX_CURSOR)] | None,
            Meta(description="From next_cursor"),
        ],
        query=rest,
        mcp=True,
    )


class Page(msgspec.Struct, frozen=True, kw_only=True):
    items: list[Any]
    total: int
    next_cursor: str | None


def cut(items: list[Any], paging: Paging, limit: int, cursor: str | None) -> Page:
    """``limit`` items after the one ``cursor`` names (from the start, or from the end)."""
    keys = _unique([str(paging.key(item)) for item in items])
    if paging.from_end:
        end = len(items) if cursor is None else _position(keys, cursor)
        start = max(0, end - limit)
        chosen = items[start:end]
        more = start > 0
    else:
        start = 0 if cursor is None else _position(keys, cursor) + 1
        chosen = items[start : start + limit]
        more = start + limit < len(items)
    next_cursor = keys[start if paging.from_end else start + len(chosen) - 1] if more else None
    return Page(items=chosen, total=len(items), next_cursor=next_cursor)


def _unique(keys: list[str]) -> list[str]:
    """Keys that name one item each: a key seen before gets ``~2``, ``~3``... (two accounts
    holding one contract, TWS's own orders all numbered 0), so that no page repeats or skips."""
    seen: dict[str, int] = {}
    unique = []
    for key in keys:
        seen[key] = seen.get(key, 0) + 1
        unique.append(key if seen[key] == 1 else f"{key}~{seen[key]}")
    return unique


def _position(keys: list[str], cursor: str) -> int:
    try:
        return keys.index(cursor)
    except ValueError:
        raise InvalidRequest(
            f"cursor {cursor!r} names no item of this list (it changed since that page); "
            "call again without cursor",
            field="cursor",
        ) from None


def page_arguments(args: Any, extras: Mapping[str, Any]) -> tuple[int | None, str | None]:
    """The caller's ``limit`` (an input field of the operation, or an extra) and ``cursor``."""
    limit = extras.get("limit", getattr(args, "limit", None))
    return limit, extras.get("cursor", getattr(args, "cursor", None))


def page_result(
    result: Any, paging: Paging, limit: int | None, cursor: str | None, *, door_default: int | None
) -> tuple[Any, Page | None]:
    """The result cut to one page, and the page (None when nothing was cut or asked for)."""
    size = limit if limit is not None else door_default
    if size is None and cursor is None:
        return result, None
    items = result if paging.items is None else getattr(result, paging.items)
    if not isinstance(items, list):
        return result, None  # e.g. candidate chains instead of contracts
    page = cut(items, paging, size if size is not None else len(items) or 1, cursor)
    if paging.items is None:
        return page.items, page
    if page.next_cursor is None and cursor is None:
        return result, page  # one page holds it all
    shown = "latest" if paging.from_end else "first" if cursor is None else "next"
    more = "older" if paging.from_end else "next"
    fields: dict[str, Any] = {
        paging.items: page.items,
        "total": page.total,
        "truncated": page.next_cursor is not None,
    }
    if page.next_cursor is not None:
        fields["next_cursor"] = page.next_cursor
        fields["message"] = (
            f"{page.total} {paging.what} matched; the {shown} {len(page.items)} are listed. "
            f"Pass next_cursor as cursor for the {more} ones"
        )
    return msgspec.structs.replace(result, **fields), page

"""What a request body must be before anything decodes it: JSON, not nested too deep, and
(for an MCP tool call, whose arguments FastMCP decodes) no key given twice.

A body sent as ``text/plain`` (or as a form) is what a cross-site page can send without a
CORS preflight; the service only ever takes JSON, so such bodies are refused (415) instead of
being decoded as JSON anyway. Deep nesting makes msgspec raise ``RecursionError`` (it stops
at about 1000 levels) where a malformed body would give a clean error; no request of ours is
nested more than a few levels, so anything past ``MAX_JSON_DEPTH`` is refused (400) first.
"""

from __future__ import annotations

import json
import re
from email.message import Message
from typing import Any

JSON_MEDIA_TYPE = "application/json"
MAX_JSON_DEPTH = 32

# A JSON string, escapes included; possessive, so it scans in linear time.
_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
# Only brackets are kept, objects' braces written as brackets: depth is all that counts here.
_AS_BRACKETS = bytes.maketrans(b"{}", b"[]")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def is_json(content_type: str | None) -> bool:
    """``application/json``, with or without parameters such as ``charset=utf-8``."""
    if not content_type:
        return False
    message = Message()
    message["content-type"] = content_type
    # An unparsable type comes back as text/plain, which is refused as well.
    return message.get_content_type() == JSON_MEDIA_TYPE


def too_deep(body: bytes | str, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when arrays and objects in ``body`` nest more than ``limit`` levels.

    Strings are dropped, then every innermost ``[]`` pair is removed, one level per pass, at
    the speed of ``bytes.replace``: ``limit`` passes empty a body nested at most ``limit``
    deep. Of what remains, an adjacent pair was nested deeper, and so are more than ``limit``
    brackets left open (malformed JSON that would otherwise recurse all the same). Exact for
    well-formed JSON; malformed JSON that passes is nested at most ``2 * limit`` deep, and
    the decoder refuses it cleanly.
    """
    data = body.encode() if isinstance(body, str) else body
    brackets = _STRING.sub(b"", data).translate(_AS_BRACKETS, _NOT_BRACKETS)
    for _ in range(limit):
        reduced = brackets.replace(b"[]", b"")
        if len(reduced) == len(brackets):
            break
        brackets = reduced
    return b"[]" in brackets or brackets.count(b"[") > limit


def repeated_key(body: bytes) -> str | None:
    """The first key an object of the JSON document ``body`` repeats, if any (None for a body
    that is not JSON: the decoder says what is wrong with it). JSON parsers disagree on
    which of two values wins, and an order must not be read two ways."""
    found: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        if not found:
            seen: set[str] = set()
            for key, _ in items:
                if key in seen:
                    found.append(key[:60])
                    break
                seen.add(key)
        return {}  # only the keys matter: no need to build the document

    try:
        json.loads(body, object_pairs_hook=pairs)
    except (ValueError, RecursionError):
        return None
    return found[0] if found else None

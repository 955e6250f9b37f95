"""What a request body must be before anything decodes it: JSON.

A body sent as ``text/plain`` (or as a form) is what a cross-site page can send without a
CORS preflight; the service only ever takes JSON, so such bodies are refused (415) instead of
being decoded as JSON anyway.
"""

from __future__ import annotations

from email.message import Message

JSON_MEDIA_TYPE = "application/json"


def is_json(content_type: str | None) -> bool:
    """``application/json``, with or without parameters such as ``charset=utf-8``."""
    if not content_type:
        return False
    message = Message()
    message["content-type"] = content_type
    # An unparsable type comes back as text/plain, which is refused as well.
    return message.get_content_type() == JSON_MEDIA_TYPE

"""One text, two readers: what an agent must know to call, and details for the reader of
the REST documentation.

A description (an operation's or a field's) may end in a details part that starts with
``DETAILS``. The MCP door shows only the text before it: every byte of ``tools/list`` is
read into an agent's context before its first call, and the schema already carries the
types, bounds and enums. The REST door (OpenAPI) shows the whole text. Write what a caller
needs to call correctly (and every safety sentence) before the details, never after.
"""

from __future__ import annotations

DETAILS = "\n\nDetails: "


def brief(text: str) -> str:
    """The text without its details part (the MCP door's description)."""
    return text.split(DETAILS, 1)[0]

"""A human's answer to "place this order?": asked through the MCP client (elicitation)."""

from __future__ import annotations

from domain.errors import DomainError


class ConfirmationDeclined(DomainError):
    """The person at the MCP client declined (or dismissed) the action; nothing was sent."""

    code = "declined_by_user"

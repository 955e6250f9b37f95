"""The service's one redactor of configured secret values (tokens, passwords).

Every sink shares it: the logging pipeline (``entrypoints.logging.REDACTOR.known``), REST error
bodies, MCP tool errors, the audit trail and the catalog's input errors. A module of its own,
free of frameworks, so that any part of the front doors can import it.
"""

from __future__ import annotations

from application.redaction import Redactor

SECRETS = Redactor()

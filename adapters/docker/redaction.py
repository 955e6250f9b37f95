"""The gateway password as the Docker adapter needs it to redact container logs and errors.

Redaction itself is the service's one ``Redactor`` (``application.redaction``).
"""

from __future__ import annotations

from pathlib import Path


def read_secret_file(path: Path | None) -> str | None:
    """The secret in a file, if readable (None otherwise): so that it can be scrubbed."""
    if path is None:
        return None
    try:
        return path.expanduser().read_text(encoding="utf-8").strip() or None
    except OSError:
        return None

"""Suite-wide settings."""

from hypothesis import settings

# Property tests explore the same examples on every run (CI stays deterministic) and keep no
# example database on disk.
settings.register_profile("ibkr-mcp", derandomize=True, database=None)
settings.load_profile("ibkr-mcp")

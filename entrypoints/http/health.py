"""Liveness: the process probe orchestrators call (readiness is the catalog's get_health)."""

from __future__ import annotations

import msgspec
from litestar import get


class Liveness(msgspec.Struct, frozen=True, kw_only=True):
    live: bool = True


@get("/health/live", operation_id="get_liveness", summary="Liveness", tags=["health"])
async def liveness() -> Liveness:
    """Liveness: always 200 while the process can answer HTTP at all."""
    return Liveness()

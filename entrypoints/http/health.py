"""Liveness (the process probe orchestrators call; readiness is the catalog's get_health) and
the Prometheus metrics."""

from __future__ import annotations

import msgspec
from litestar import Response, get
from litestar.handlers import HTTPRouteHandler

from entrypoints.metrics import CONTENT_TYPE, ServiceMetrics


class Liveness(msgspec.Struct, frozen=True, kw_only=True):
    live: bool = True


@get("/health/live", operation_id="get_liveness", summary="Liveness", tags=["health"])
async def liveness() -> Liveness:
    """Liveness: always 200 while the process can answer HTTP at all."""
    return Liveness()


METRICS_PATH = "/metrics"


def metrics_route(metrics: ServiceMetrics) -> HTTPRouteHandler:
    """Prometheus' scrape target (text exposition format); not an API operation."""

    @get(METRICS_PATH, include_in_schema=False, name="metrics", media_type=CONTENT_TYPE)
    async def scrape() -> Response[bytes]:
        return Response(metrics.render(), media_type=CONTENT_TYPE)

    return scrape

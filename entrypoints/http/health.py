"""Health probes: readiness (can the service answer?) and liveness (is the process up?)."""

from __future__ import annotations

import msgspec
from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec

from application.services.health import HealthService
from domain.health import HealthReport


class Liveness(msgspec.Struct, frozen=True, kw_only=True):
    live: bool = True


class HealthController(Controller):
    path = "/health"
    tags = ["health"]

    @get(
        "/",
        operation_id="get_health",
        summary="Readiness",
        # Answered by this handler itself (not the error table): 503 carries the report.
        responses={
            503: ResponseSpec(
                data_container=HealthReport, description="Not ready", generate_examples=False
            )
        },
    )
    async def readiness(
        self, health_service: NamedDependency[HealthService]
    ) -> Response[HealthReport]:
        """Readiness: 200 when the gateway runs and the broker session is up, 503 otherwise.

        The body lists each check with a short explanation either way.
        """
        report = await health_service.report()
        return Response(report, status_code=200 if report.ready else 503)

    @get("/live", operation_id="get_liveness", summary="Liveness")
    async def liveness(self) -> Liveness:
        """Liveness: always 200 while the process can answer HTTP at all."""
        return Liveness()

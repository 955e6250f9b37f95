"""The REST front door: a Litestar app over the use-case services.

Every operation's route handler is rendered from the catalog (``entrypoints/catalog``) by
``entrypoints/http/operations.py`` and calls the services it was built with; the same
``Services`` object is kept in ``app.state.services`` for code that holds the app.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, cast

from litestar import Litestar
from litestar.datastructures import State
from litestar.handlers import ASGIRouteHandler

from application.container import Services
from application.services.auth import TokenBook
from entrypoints.http.docs import openapi_config, swagger_assets
from entrypoints.http.errors import EXCEPTION_HANDLERS
from entrypoints.http.guard import ASGIApp, access_guard
from entrypoints.http.health import METRICS_PATH, liveness, metrics_route
from entrypoints.http.observe import observed
from entrypoints.http.operations import operation_handlers
from entrypoints.http.site import SitePolicy
from entrypoints.http.streams import DEFAULT_HEARTBEAT, stream_handlers
from entrypoints.logging import request_context_middleware
from entrypoints.metrics import ServiceMetrics

DESCRIPTION = (
    "An Interactive Brokers account over REST (and MCP at /mcp): account figures, orders, "
    "market data, contract look-up, option chains, scanners, and the IB Gateway it runs on. "
    "Errors share one JSON shape: error (message), code (stable cause), status, and details "
    "such as field, accepted, candidates or retry_after. When the service is started with "
    "tokens, every request but GET /health/live and these docs needs 'Authorization: "
    "Bearer <token>' (Authorize, above). "
    "Request bodies are JSON ('Content-Type: application/json'; else 415). Requests from a "
    "web page on another site (Origin header) are refused with 403 unless the operator "
    "allowed that origin; a Host the service does not serve is refused with 421."
)
DEFAULT_MAX_BODY = 64 * 1024


def create_http_app(
    services: Services,
    *,
    lifespan: Sequence[Callable[[Litestar], AbstractAsyncContextManager[Any]]] = (),
    mounts: Sequence[ASGIRouteHandler] = (),
    middleware: Sequence[Callable[..., Any]] = (),
    debug: bool = False,
    tokens: TokenBook | None = None,
    max_body: int = DEFAULT_MAX_BODY,
    site: SitePolicy | None = None,
    metrics: ServiceMetrics | None = None,
    metrics_public: bool = False,
    stream_heartbeat: float = DEFAULT_HEARTBEAT,
) -> Litestar:
    """The REST API (every path of the API contract) with OpenAPI docs at /docs.

    Every request (the mounts and /docs included) passes ``access_guard`` first: a Host and
    Origin that ``site`` allows (default: loopback names, no other site), a bearer token from
    ``tokens`` when it has any, and at most ``max_body`` bytes of JSON. CORS is on only for
    the origins ``site`` allows. Outside it, every request gets a request id and one
    access-log line, and is counted in ``metrics`` (served at /metrics, behind the token
    unless ``metrics_public``). Live streams (server-sent events) send a keep-alive comment
    after ``stream_heartbeat`` idle seconds.
    """
    site = site or SitePolicy()
    metrics = metrics or ServiceMetrics()
    app = Litestar(
        route_handlers=[
            *operation_handlers(services),
            *stream_handlers(services, metrics, heartbeat=stream_heartbeat),
            liveness,
            swagger_assets(),
            metrics_route(metrics),
            *mounts,
        ],
        middleware=list(middleware),
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=list(lifespan),
        openapi_config=openapi_config(DESCRIPTION),
        # Logging is configured once by the runner (structlog, redaction); Litestar must not
        # install its own handlers over it.
        logging_config=None,
        state=State({"services": services}),
        request_max_body_size=max_body,
        cors_config=site.cors,
        debug=debug,
    )
    # Outermost, around Litestar's own exception handling: no route (nor /docs, nor the MCP
    # mount, nor an unknown path) is reachable without passing it.
    inner = cast(ASGIApp, app.asgi_handler)
    guarded = access_guard(
        inner,
        tokens=tokens or TokenBook(),
        max_body=max_body,
        site=site,
        tokenless=frozenset({METRICS_PATH}) if metrics_public else frozenset(),
    )
    app.asgi_handler = cast(Any, request_context_middleware(observed(guarded, metrics)))
    return app

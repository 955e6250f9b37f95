"""The OpenAPI document and its Swagger UI at /docs, served whole by the service itself.

Swagger UI's files come from the ``swagger-ui-bundle-v2`` package (Swagger UI 5, which renders
OpenAPI 3.1) and are served at ``/docs/assets``: the page renders with no network, no CDN,
nothing fetched from elsewhere.

The page, its assets and ``/docs/openapi.json`` need no token (``DOCS_PREFIX`` in
``guard.py``): they describe the API, which the README describes as well, and carry no
secret, no account data and no configuration; every call made from the page (Try it out) is
an API call like any other and needs the token (the Authorize button sets it). Host and
Origin are checked for /docs as for everything else.
"""

from __future__ import annotations

from pathlib import Path

from litestar.datastructures import CacheControlHeader
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.router import Router
from litestar.static_files import create_static_files_router
from swagger_ui_bundle import swagger_ui_path

from entrypoints.version import package_version

DOCS_PATH = "/docs"
ASSETS_PATH = f"{DOCS_PATH}/assets"
ASSETS_DIR = Path(str(swagger_ui_path))
BEARER = "bearer"
# Every operation but liveness names it (operations.py): Swagger UI shows Authorize.
BEARER_SECURITY: list[dict[str, list[str]]] = [{BEARER: []}]


def openapi_config(description: str) -> OpenAPIConfig:
    return OpenAPIConfig(
        title="ibkr-mcp",
        version=package_version(),
        description=description,
        path=DOCS_PATH,
        use_handler_docstrings=True,
        components=Components(
            security_schemes={
                BEARER: SecurityScheme(
                    type="http",
                    scheme="bearer",
                    description="Required when the service is started with tokens "
                    "(IBKR_MCP_TOKEN or --token-file): 'Authorization: Bearer <token>'. "
                    "Without tokens the service serves loopback only and asks for none.",
                )
            }
        ),
        render_plugins=[
            SwaggerRenderPlugin(
                path="/",
                js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
                css_url=f"{ASSETS_PATH}/swagger-ui.css",
                standalone_preset_js_url=f"{ASSETS_PATH}/swagger-ui-standalone-preset.js",
                favicon=f"<link rel='icon' type='image/png' href='{ASSETS_PATH}/favicon-32x32.png'>",
            )
        ],
    )


def swagger_assets() -> Router:
    """Swagger UI's files at /docs/assets (not part of the API: left out of the schema)."""
    return create_static_files_router(
        path=ASSETS_PATH,
        directories=[ASSETS_DIR],
        name="swagger_ui_assets",
        include_in_schema=False,
        # The files change only with a release: browsers may keep them for a day.
        cache_control=CacheControlHeader(max_age=86400, public=True),
    )

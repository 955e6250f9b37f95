"""/docs serves Swagger UI from the service itself: it renders in a browser with no network,
without a token, while the API calls it makes still need one."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from application.container import build_services
from application.services.auth import TokenBook
from entrypoints.catalog import CATALOG
from entrypoints.http.app import create_http_app
from tests.fakes import FakeBroker, FakeClock, FakeGateway
from tests.servers import serving

TOKEN = "docs-test-token-0123456789abcdef"
ASSETS = ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css")


def _app() -> object:
    return create_http_app(
        build_services(FakeBroker(), FakeGateway(), FakeClock()),
        tokens=TokenBook.load(f"ops:{TOKEN}", None),
    )


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(_app()) as test_client:  # type: ignore[arg-type]
        yield test_client


def test_the_page_loads_swagger_ui_from_the_service_only(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    sources = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    assert sources and all(s.startswith("/docs/assets/") for s in sources), sources
    assert "cdn" not in page.text.lower() and "https://" not in page.text


def test_the_docs_need_no_token_but_the_api_and_other_methods_do(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    assert client.get("/docs/openapi.json").status_code == 200
    for name in ASSETS:
        asset = client.get(f"/docs/assets/{name}")
        assert asset.status_code == 200, name
        assert asset.headers["content-type"].startswith(
            ("text/css", "application/javascript", "text/javascript")
        )
    assert client.get("/ibkr/account/summary").status_code == 401
    assert client.post("/docs/openapi.json").status_code == 401
    assert client.get("/docsx").status_code == 401  # only /docs and below
    authorized = client.get("/ibkr/account/summary", headers={"Authorization": f"Bearer {TOKEN}"})
    assert authorized.status_code == 200


def test_the_docs_still_refuse_a_foreign_site(client: TestClient) -> None:
    assert client.get("/docs", headers={"Host": "evil.example"}).status_code == 421
    assert (
        client.get("/docs/openapi.json", headers={"Origin": "https://evil.example"}).status_code
        == 403
    )


def test_the_schema_declares_bearer_auth_and_the_guards_refusals(client: TestClient) -> None:
    schema = client.get("/docs/openapi.json").json()
    assert schema["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["bearer"]["description"],
    }
    operations = {
        op["operationId"]: op for path in schema["paths"].values() for op in path.values()
    }
    assert "security" not in operations["get_liveness"]
    bodies = {op.name for op in CATALOG if op.http_method == "POST" and op.input is not None}
    assert bodies >= {"place_order", "preview_order"}
    for op in CATALOG:
        documented = operations[op.name]
        assert documented["security"] == [{"bearer": []}], op.name
        assert "401" in documented["responses"], op.name
        if op.name in bodies:
            assert {"413", "415"} <= set(documented["responses"]), op.name
    for name in ("place_order", "preview_order", "get_historical_data", "get_scanner_results"):
        assert "429" in operations[name]["responses"], name


def test_declared_examples_reach_the_schema(client: TestClient) -> None:
    schema = client.get("/docs/openapi.json").json()
    order = schema["components"]["schemas"]["OrderInput"]["properties"]
    assert order["quantity"]["examples"] == [10] and order["action"]["examples"] == ["BUY"]
    place = schema["paths"]["/ibkr/orders/place"]["post"]
    key = next(p for p in place["parameters"] if p["name"] == "Idempotency-Key")
    assert key["schema"]["examples"]
    snapshot = schema["paths"]["/ibkr/market_data/snapshot"]["get"]["parameters"]
    assert all(p["schema"].get("examples") for p in snapshot if p["name"] == "contract_id")


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


# Skipped on a developer's machine without chromium; in CI (which installs it) it must run.
@pytest.mark.skipif(
    CHROMIUM is None and not IN_CI, reason="needs Debian's chromium (installed by .ci/run)"
)
async def test_swagger_ui_renders_every_operation_in_chromium_offline(tmp_path: Path) -> None:
    async with serving(_app()) as url:
        proc = await asyncio.create_subprocess_exec(
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            # No network but this service: any other host fails to resolve.
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
            "--virtual-time-budget=15000",
            "--dump-dom",
            f"{url}/docs",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        dom, err = await asyncio.wait_for(proc.communicate(), 90)
    text = dom.decode()
    assert proc.returncode == 0, err.decode()[-2000:]
    assert 'class="swagger-ui' in text, text[:2000]
    rendered = set(re.findall(r'id="operations-[^"]*?-(\w+)"', text))
    assert rendered >= {op.name for op in CATALOG} | {"get_liveness"}, sorted(rendered)
    assert "btn authorize" in text  # the bearer scheme: Swagger shows Authorize

"""The REST app over FakeFeed, served by uvicorn, and an HTTP client for it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from application.container import LiveSettings, Services, build_services
from entrypoints.http.app import create_http_app
from tests import contract_examples as ex
from tests.fakes import FakeBroker, FakeClock, FakeFeed, FakeGateway
from tests.http.live.support import TIMEOUT
from tests.servers import serving


@pytest.fixture
def feed() -> FakeFeed:
    return FakeFeed(max_lines=2)


@pytest.fixture
def services(
    broker: FakeBroker, gateway: FakeGateway, clock: FakeClock, feed: FakeFeed
) -> Services:
    ex.seed(broker, gateway)
    live = LiveSettings(buffer=4, streams_per_caller=2, quote_timeout=0.5)
    return build_services(broker, gateway, clock, feed=feed, live=live)


@pytest.fixture
async def base(services: Services) -> AsyncIterator[str]:
    app = create_http_app(services, stream_heartbeat=0.02, tokens=None)
    async with serving(app) as url:
        yield url


@pytest.fixture
async def http(base: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT) as client:
        yield client

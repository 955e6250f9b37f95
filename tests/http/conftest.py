"""The REST app over the fakes: ``client`` talks to it, ``broker``/``gateway``/``clock`` steer it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from application.container import build_services
from entrypoints.http.app import create_http_app
from tests.fakes import FakeBroker, FakeClock, FakeGateway


@pytest.fixture
def client(broker: FakeBroker, gateway: FakeGateway, clock: FakeClock) -> Iterator[TestClient]:
    app = create_http_app(build_services(broker, gateway, clock))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client

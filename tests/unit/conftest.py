"""The use-case services over fresh fakes, seeded with the API contract's example world."""

from __future__ import annotations

import pytest

from application.container import Services, build_services
from tests import contract_examples as ex
from tests.factories import reseed
from tests.fakes import FakeBroker, FakeClock, FakeGateway


@pytest.fixture(autouse=True)
def _seeded_factories() -> None:
    reseed()


@pytest.fixture
def services(broker: FakeBroker, gateway: FakeGateway, clock: FakeClock) -> Services:
    ex.seed(broker, gateway)
    return build_services(broker, gateway, clock, max_option_contracts=100, max_bars=5000)

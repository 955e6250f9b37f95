"""Suite-wide settings."""

# eventkit (under ib_async) asks for the main thread's event loop when it is imported, which
# fails once an earlier test's asyncio.run() has left none: import it while there is one, so
# that which test first builds a broker does not decide whether it can.
import ib_async  # noqa: F401
import pytest
from hypothesis import settings

from tests.fakes import FakeBroker, FakeClock, FakeGateway

# Property tests explore the same examples on every run (CI stays deterministic) and keep no
# example database on disk.
settings.register_profile("ibkr-mcp", derandomize=True, database=None)
settings.load_profile("ibkr-mcp")


@pytest.fixture(autouse=True)
def _private_state_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Every test gets its own state directory: default audit files and order journals never
    leak between tests (a journal remembers keys) nor into the user's home."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))


# Fresh fakes of our ports; folders that need them seeded or shaped override these names.
@pytest.fixture
def broker() -> FakeBroker:
    return FakeBroker()


@pytest.fixture
def gateway() -> FakeGateway:
    return FakeGateway()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()

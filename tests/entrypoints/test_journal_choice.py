"""Which order journal the composition root picks for each kind of gateway."""

from __future__ import annotations

import os
from pathlib import Path

from domain.orders import OrderRequest
from entrypoints.bootstrap import assemble
from entrypoints.settings import Secret, settings_from_env
from tests import contract_examples as ex
from tests.fakes import FakeBroker, FakeGateway


def seeded() -> FakeBroker:
    broker = FakeBroker()
    ex.seed(broker, FakeGateway())
    return broker


def state_dir() -> Path:
    return Path(os.environ["XDG_STATE_HOME"]) / "ibkr-mcp"


async def test_a_real_gateway_gets_the_durable_journal_in_the_state_directory() -> None:
    settings = settings_from_env({}, gateway="external", monitor_enabled=False)
    assembly = assemble(settings, broker=seeded(), gateway=FakeGateway())
    async with assembly.running():
        await assembly.services.trading.place(ORDER, "choice-1")
    assert (state_dir() / "journal.sqlite3").exists()
    # a new process (a new assembly, a broker that knows nothing) remembers the key
    again = assemble(settings, broker=seeded(), gateway=FakeGateway())
    async with again.running():
        assert await again.services.trading.already_placed(ORDER, "choice-1")


async def test_the_embedded_simulator_keeps_its_keys_in_memory_only() -> None:
    """Its orders die with the process; a journal on disk would answer the next run's retries
    with orders the new simulator never had."""
    settings = settings_from_env({}, monitor_enabled=False, connect_timeout=5.0)
    assembly = assemble(settings)
    async with assembly.running():
        pass
    assert not (state_dir() / "journal.sqlite3").exists()


async def test_a_journal_named_explicitly_is_used_with_the_simulator_too(tmp_path: Path) -> None:
    dsn = f"sqlite:///{tmp_path / 'sim-journal.db'}"
    settings = settings_from_env({}, monitor_enabled=False, journal_dsn=Secret(dsn))
    assembly = assemble(settings, broker=FakeBroker(), gateway=None)
    async with assembly.running():
        pass
    assert (tmp_path / "sim-journal.db").exists()


ORDER = OrderRequest(action="BUY", quantity=1, order_type="LMT", limit_price=1.0,
                     contract_id=12345678)  # fmt: skip

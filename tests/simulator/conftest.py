from __future__ import annotations

import logging

import pytest


@pytest.fixture
def no_decoder_errors(caplog: pytest.LogCaptureFixture):
    """Fail a test if ib_async logged an error while decoding (it drops bad messages silently)."""
    with caplog.at_level(logging.ERROR, logger="ib_async"):
        yield caplog
    bad = [
        r for r in caplog.records if r.name.startswith("ib_async") and r.levelno >= logging.ERROR
    ]
    assert not bad, [r.getMessage() for r in bad]

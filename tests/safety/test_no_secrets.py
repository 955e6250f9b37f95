"""No token or password in any captured log line, status response or error message."""

from __future__ import annotations

import io
import json
import logging

import structlog
from litestar.testing import TestClient

from entrypoints.logging import configure_logging
from entrypoints.settings import Secret, settings_from_env
from tests.safety.apps import AGENT_TOKEN, OPS_TOKEN, ORDER, TOKENS, bearer, full_app

PASSWORD = "gateway-password-Zq81"
WRONG = "almost-" + OPS_TOKEN


def test_tokens_and_passwords_appear_nowhere(broker, audit_path, clock, tmp_path):
    settings = settings_from_env(
        {"IBKR_MCP_TOKEN": TOKENS}, ib_gateway_password=Secret(PASSWORD), gateway="external"
    )
    assert {OPS_TOKEN, AGENT_TOKEN, PASSWORD} <= set(settings.secrets())
    assert OPS_TOKEN not in repr(settings) and PASSWORD not in repr(settings)
    stream = io.StringIO()
    configure_logging(log_format="json", level="DEBUG", secrets=settings.secrets(), stream=stream)
    try:
        app = full_app(broker, audit_path, clock, token=TOKENS, require_preview=True)
        answers = []
        with TestClient(app) as client:
            for headers in ({}, bearer(WRONG), bearer(OPS_TOKEN), {"Authorization": OPS_TOKEN}):
                for path in (
                    "/ibkr/connection/status",
                    "/gateway/status",
                    "/health",
                    f"/ibkr/{OPS_TOKEN}",
                    f"/ibkr/orders/audit?limit={OPS_TOKEN}",
                ):
                    answers.append(client.get(path, headers=headers).text)  # fmt: skip
            for body in (ORDER, {**ORDER, "symbol": OPS_TOKEN, "contract_id": None}, {"x": 1}):
                for path in ("/ibkr/orders/place", "/ibkr/orders/preview"):
                    answers.append(client.post(path, json=body, headers=bearer(OPS_TOKEN)).text)
            answers.append(
                client.post(
                    "/ibkr/orders/place",
                    json=ORDER,
                    headers={**bearer(AGENT_TOKEN), "Confirmation-Token": OPS_TOKEN},
                ).text
            )
        log = structlog.get_logger("test")
        log.warning("leak.attempt", detail=f"token {AGENT_TOKEN} and password {PASSWORD}")
        logging.getLogger("stdlib").warning("Authorization: Bearer %s", OPS_TOKEN)
    finally:
        configure_logging(log_format="console", level="INFO")
    captured = stream.getvalue()
    assert "http.unauthorized" in captured and "leak.attempt" in captured
    for line in captured.splitlines():
        json.loads(line)  # every line is one well-formed event
    for secret in (OPS_TOKEN, AGENT_TOKEN, PASSWORD):
        assert secret not in captured
        for answer in answers:
            assert secret not in answer, answer
    # The audit trail records requests, but never a credential: not the bearer token, not the
    # confirmation token, not a token sent (on purpose, above) as a symbol.
    for secret in (OPS_TOKEN, AGENT_TOKEN, PASSWORD):
        assert secret not in audit_path.read_text()


def test_tokens_from_a_token_file_alone_are_redacted_too(tmp_path):
    token_file = tmp_path / "tokens"
    token_file.write_text(f"ops:{OPS_TOKEN}\n")
    token_file.chmod(0o600)
    settings = settings_from_env({}, token_file=token_file)
    assert OPS_TOKEN in settings.secrets()
    stream = io.StringIO()
    configure_logging(log_format="json", level="DEBUG", secrets=settings.secrets(), stream=stream)
    try:
        structlog.get_logger("test").warning("echo", symbol=OPS_TOKEN, note=f"x {OPS_TOKEN} y")
    finally:
        configure_logging(log_format="console", level="INFO")
    assert stream.getvalue() and OPS_TOKEN not in stream.getvalue()

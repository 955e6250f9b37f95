"""One redactor for every sink: the audit trail (file and endpoint), error bodies, tool errors.

Configured secrets are caught whatever their case and wherever a request carries them:
inside longer strings, in nested containers, in dict keys.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastmcp import Client
from fastmcp.exceptions import ToolError
from litestar.testing import TestClient

from application.redaction import REDACTED, RedactingAuditLog, Redactor
from domain.safety import AuditEntry, AuditError
from entrypoints.mcp.server import build_mcp
from entrypoints.settings import Secret
from tests.fakes import FakeBroker, InMemoryAuditLog
from tests.safety.apps import OPS_TOKEN, ORDER, TOKENS, bearer, full_app
from tests.safety.conftest import audit_lines

PASSWORD = "Gw-Passw0rd-Kq72"


def leaks(text: str, *secrets: str) -> list[str]:
    """The secrets that show in ``text``, in any letter case."""
    return [secret for secret in secrets if secret.casefold() in text.casefold()]


def test_a_secret_is_caught_in_any_case_inside_strings_containers_and_keys():
    redact = Redactor([PASSWORD, None, "", "ab"])  # empty and too-short values are ignored
    value = {
        "symbol": PASSWORD.upper(),
        "note": f"sent {PASSWORD.lower()}!",
        PASSWORD: [("x", PASSWORD.swapcase()), {f"k-{PASSWORD}": {PASSWORD}}],
        "n": 7,
    }
    clean = redact(value)
    assert not leaks(repr(clean), PASSWORD)
    assert clean["symbol"] == REDACTED and clean["note"] == f"sent {REDACTED}!"
    assert clean[REDACTED] == [("x", REDACTED), {f"k-{REDACTED}": {REDACTED}}]
    assert clean["n"] == 7 and redact("ab cd") == "ab cd"
    assert PASSWORD not in repr(redact)


def test_case_mappings_that_change_the_length_are_caught_too():
    redact = Redactor(["straße-geheim"])
    assert redact.text("x STRASSE-GEHEIM y") == f"x {REDACTED} y"
    assert redact.text("x Straße-Geheim y") == f"x {REDACTED} y"


def test_the_longest_secret_is_replaced_whole():
    redact = Redactor(["token-abc", "token-abc-and-more"])
    assert redact.text("TOKEN-ABC-AND-MORE") == REDACTED


async def test_the_audit_log_wrapper_redacts_what_it_writes_and_what_it_reads():
    inner = InMemoryAuditLog()
    raw = AuditEntry(
        time=datetime(2025, 10, 5, tzinfo=UTC),
        caller="ops",
        transport="rest",
        action="place",
        operation="place",
        request={"order": {"symbol": PASSWORD}, "idempotency_key": OPS_TOKEN},
        result={"client_order_id": OPS_TOKEN.upper()},
        error=AuditError(code="contract_not_found", message=f"No contract {PASSWORD.upper()}"),
    )
    await inner.append(raw)  # written before the secrets were known
    audit = RedactingAuditLog(inner, Redactor([PASSWORD, OPS_TOKEN]))
    await audit.append(raw)
    assert not leaks(repr(inner.entries[-1]), PASSWORD, OPS_TOKEN)
    for entry in await audit.recent(10):
        assert not leaks(repr(entry), PASSWORD, OPS_TOKEN)
        assert entry.request["order"]["symbol"] == REDACTED
        assert entry.error is not None and entry.error.code == "contract_not_found"


@pytest.fixture
def client(broker: FakeBroker, audit_path: Path):
    app = full_app(
        broker, audit_path, token=TOKENS, ib_gateway_password=Secret(PASSWORD), gateway="external"
    )
    with TestClient(app) as test_client:
        yield test_client


def test_token_as_idempotency_key_and_password_as_symbol_are_refused_and_stay_out_of_the_trail(
    client: TestClient, audit_path: Path, broker: FakeBroker
):
    """Issue 12, defect 4. Neither reaches IB either: a key travels as the order's orderRef
    (and comes back in answers), a symbol as a contract look-up."""
    headers = {**bearer(OPS_TOKEN), "Idempotency-Key": OPS_TOKEN}
    keyed = client.post("/ibkr/orders/place", json=ORDER, headers=headers)
    assert keyed.status_code == 400 and keyed.json()["field"] == "Idempotency-Key"
    by_symbol = {**ORDER, "contract_id": None, "symbol": PASSWORD.lower()}
    named = client.post("/ibkr/orders/preview", json=by_symbol, headers=bearer(OPS_TOKEN))
    assert named.status_code == 400 and named.json()["field"] == "symbol"
    assert broker.calls == []  # no contract look-up, no order
    entries = audit_lines(audit_path)
    assert [e.operation for e in entries] == ["place", "preview"]  # both recorded, redacted
    assert entries[0].request["idempotency_key"] == REDACTED
    assert entries[1].request["order"]["symbol"] == REDACTED
    assert not leaks(audit_path.read_text(), OPS_TOKEN, PASSWORD)
    trail = client.get("/ibkr/orders/audit?limit=10", headers=bearer(OPS_TOKEN))
    assert trail.status_code == 200 and len(trail.json()) == 2
    assert REDACTED in trail.text
    assert not leaks(trail.text, OPS_TOKEN, PASSWORD)
    assert not leaks(keyed.text + named.text, OPS_TOKEN, PASSWORD)


def test_a_password_sent_as_action_never_comes_back_in_any_case(
    client: TestClient, broker: FakeBroker
):
    response = client.post(
        "/ibkr/orders/place",
        json={**ORDER, "action": PASSWORD.lower()},  # the domain upper-cases and echoes it
        headers=bearer(OPS_TOKEN),
    )
    assert response.status_code == 400
    assert response.json()["field"] == "action" and REDACTED in response.json()["error"]
    assert not leaks(response.text, PASSWORD)
    assert broker.called("place_order") == []


async def test_tool_errors_carry_no_secret_whichever_part_of_the_server_raised_them(
    broker: FakeBroker, audit_path: Path
):
    # build_app registers the configured secrets with the service's one redactor.
    app = full_app(broker, audit_path, ib_gateway_password=Secret(PASSWORD), gateway="external")
    mcp = build_mcp(app.state["assembly"].services)
    calls = [
        ("place_order", {**ORDER, "action": PASSWORD.lower()}),  # argument schema
        ("place_order", {**ORDER, "client_order_id": PASSWORD * 5}),  # echoed, then cut short
        ("preview_order", {**ORDER, "contract_id": None, "symbol": PASSWORD.lower()}),  # domain
        ("cancel_order", {"order_id": PASSWORD}),
        (PASSWORD, {}),  # FastMCP's own "Unknown tool"
    ]
    async with Client(mcp, timeout=10) as client:
        for name, arguments in calls:
            with pytest.raises(ToolError) as caught:
                await client.call_tool(name, arguments)
            assert not leaks(str(caught.value), PASSWORD, PASSWORD[:8]), (name, caught.value)
            said = str(caught.value)
            # either echoed redacted, or refused for holding a secret without echoing it
            assert REDACTED in said or "secret configured in this service" in said, name
    assert broker.called("place_order") == [] and broker.called("what_if") == []

import io
import json
import logging

import pytest
import structlog
from fastmcp import Client
from fastmcp.exceptions import ToolError

from application.container import build_services
from entrypoints.logging import REDACTED, REDACTOR, SecretRedactor, configure_logging, printable
from entrypoints.mcp.server import build_mcp
from tests.fakes import FakeBroker, FakeClock, FakeGateway


def _capture(secrets=()):
    stream = io.StringIO()
    configure_logging(log_format="json", level="INFO", secrets=secrets, stream=stream)
    return stream


def test_configured_password_never_reaches_a_log_line():
    password = "S3cr3t-Pa55word!"
    stream = _capture(secrets=[password])
    log = structlog.get_logger("test")
    log.info("login attempt", detail=f"user=trader pw {password}")
    log.warning("nested", env={"TWS_PASSWORD": password, "MODE": "paper"})
    logging.getLogger("ib_async.client").warning("raw stdlib line with %s inside", password)
    try:
        raise RuntimeError(f"failed with {password}")
    except RuntimeError:
        log.exception("boom")
    out = stream.getvalue()
    assert password not in out
    assert out.count(REDACTED) >= 4
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines[1]["env"]["MODE"] == "paper"


def test_keys_that_look_like_credentials_are_redacted_whatever_their_value():
    stream = _capture()
    structlog.get_logger("t").info("cfg", password="abc", api_key="k-123", token="t-456", port=1)
    event = json.loads(stream.getvalue().splitlines()[-1])
    assert event["password"] == REDACTED
    assert event["api_key"] == REDACTED
    assert event["token"] == REDACTED
    assert event["port"] == 1


def test_inline_credentials_and_bearer_tokens_in_free_text_are_redacted():
    redactor = SecretRedactor()
    text = redactor.scrub("TWS_PASSWORD=abc123 and Authorization: Bearer eyJhbGciOi.abc-def")
    assert "abc123" not in text
    assert "eyJhbGciOi" not in text


def test_json_lines_carry_level_logger_and_timestamp():
    stream = _capture()
    structlog.get_logger("ibkr.test").info("hello", order_id=7)
    event = json.loads(stream.getvalue().splitlines()[-1])
    assert event["event"] == "hello"
    assert event["level"] == "info"
    assert event["order_id"] == 7
    assert "timestamp" in event


def test_a_secret_in_a_long_path_is_redacted_before_the_line_is_cut():
    token = "Zq9-path-token-0123456789abcdef"
    REDACTOR.add([token])
    line = printable("/ibkr/" + "a" * 190 + token)  # the cut at 200 falls inside the token
    assert line.endswith("...") and REDACTED[:4] in line
    assert token[:4] not in line


async def test_fastmcp_log_lines_pass_the_redactor_tool_arguments_included():
    password = "Zq9-fastmcp-Passw0rd"
    stream = io.StringIO()
    configure_logging(log_format="json", level="DEBUG", secrets=[password], stream=stream)
    try:
        mcp = build_mcp(build_services(FakeBroker(), FakeGateway(), FakeClock()))
        async with Client(mcp, timeout=10) as client:
            with pytest.raises(ToolError):
                await client.call_tool("get_contract_details", {"symbol": password})
    finally:
        configure_logging(log_format="console", level="INFO")
    out = stream.getvalue()
    # FastMCP logs the call with its arguments at DEBUG: through our pipeline, redacted.
    assert "call_tool get_contract_details" in out
    assert password.casefold() not in out.casefold()

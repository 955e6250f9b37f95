"""An MCP tool call is read one way only, as a REST body is: a key given twice is refused.

JSON parsers disagree on which of two values wins (FastMCP's takes the last): a tool call
``{"quantity": 1, "quantity": 1000}`` must not reach the order desk at all.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from litestar.testing import TestClient

from tests.fakes import FakeBroker
from tests.safety.apps import full_app
from tests.safety.conftest import audit_lines
from tests.servers import serving

HEADERS = {
    "Accept": "application/json, text/event-stream",
    "Content-Type": "application/json",
    "MCP-Protocol-Version": "2025-06-18",
}
ORDER_ARGS = '"contract_id":12345678,"action":"BUY","order_type":"LMT","limit_price":1.5'


def tool_call(arguments: str, name: str = "place_order") -> bytes:
    return (
        '{"jsonrpc":"2.0","id":7,"method":"tools/call",'
        f'"params":{{"name":"{name}","arguments":{{{arguments}}}}}}}'
    ).encode()


@pytest.fixture
def client(broker: FakeBroker, audit_path: Path):
    with TestClient(full_app(broker, audit_path)) as test_client:
        yield test_client


@pytest.mark.parametrize(
    "arguments",
    [
        ORDER_ARGS + ',"quantity":1,"quantity":1000',
        ORDER_ARGS.replace('"BUY"', '"SELL"') + ',"quantity":1,"action":"BUY"',
    ],
    ids=["repeated-quantity", "repeated-action"],
)
def test_a_tool_call_with_a_key_given_twice_is_refused_before_any_tool_runs(
    client: TestClient, broker: FakeBroker, audit_path: Path, arguments: str
) -> None:
    response = client.post("/mcp/", content=tool_call(arguments), headers=HEADERS)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "invalid_request"
    assert "given twice" in response.json()["error"] and response.json()["field"] == "body"
    assert broker.calls == [] and audit_lines(audit_path) == []


def test_the_envelope_is_checked_too_and_one_of_each_key_passes(
    client: TestClient, broker: FakeBroker
) -> None:
    twice = b'{"jsonrpc":"2.0","id":1,"id":2,"method":"tools/list"}'
    assert client.post("/mcp/", content=twice, headers=HEADERS).status_code == 400
    once = client.post(
        "/mcp/", content=tool_call('"order_id":999', "get_order_status"), headers=HEADERS
    )
    assert once.status_code == 200, once.text
    assert broker.called("order_status") == [(999,)]  # the tool ran


def test_a_body_that_is_not_json_is_left_to_the_mcp_sdk_to_answer(client: TestClient) -> None:
    response = client.post("/mcp/", content=b'{"jsonrpc": "2.0", "id": 1,', headers=HEADERS)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == -32700  # JSON-RPC's parse error, from the SDK


@pytest.mark.parametrize("path", ["/mcp/", "//mcp/", "/ibkr/orders/place"])
async def test_over_a_real_socket_no_path_lets_a_key_given_twice_through(
    broker: FakeBroker, audit_path: Path, path: str
) -> None:
    """uvicorn hands ``//mcp/`` to the MCP door as well (a test client would tidy the path
    first): the rule holds for every body, whatever the path."""
    body = tool_call(ORDER_ARGS + ',"quantity":1,"quantity":7')
    if path.startswith("/ibkr"):
        body = ("{" + ORDER_ARGS + ',"quantity":1,"quantity":7}').encode()
    async with serving(full_app(broker, audit_path)) as url:
        host, port = url.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            f"Accept: application/json, text/event-stream\r\nMCP-Protocol-Version: 2025-06-18\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        )
        writer.write(head.encode() + body)
        await writer.drain()
        async with asyncio.timeout(10):
            answer = await reader.read()
        writer.close()
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.split()[1] == b"400", answer[:300]
    assert b"given twice" in rest
    assert broker.calls == [] and audit_lines(audit_path) == []

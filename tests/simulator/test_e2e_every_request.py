"""Every request the TWS API defines is answered over the wire: data, or an error with its id.

Each outgoing message id of IB's client (``ibapi.message.OUT``, and the newer ids of the
simulator's table) is sent by an ib_async client with minimal fields: the id, a version and
the request id where the request has one. A request that expects a reply must get one (data,
IB's 320 for what it cannot read, or 322 for what the simulator does not model) within a
bound; an error must carry the request's id, or -1 for a request without one. Requests IB
answers with nothing once accepted (cancels, settings) need only leave the connection serving;
reqCurrentTime is the barrier after every request, answered each time.
The requests answered 322 are the ones the README says the simulator does not model.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from pathlib import Path

from ib_async.ib import StartupFetchNONE
from ibapi.message import OUT

from adapters.simulated_gateway.tws.handlers.unsupported import REQUESTS
from tests.simulator.e2e import client, simulator, wait_until

MANUAL_CLOCK = 3600.0  # no world step during the test: nothing streams after a first answer
ANSWER_BOUND = 2.0  # seconds a request that expects a reply may take
START_API, REQ_CURRENT_TIME = "71", "49"  # the handshake's, and the barrier used below
# IB answers these with nothing when it accepts them: cancels, settings, and requests whose
# effects arrive later as other events (exercise, global cancel, auto open orders, data type)
NO_REPLY_WHEN_ACCEPTED = {
    "2", "11", "13", "14", "15", "21", "23", "25", "51", "53", "56", "57", "58", "59", "63",
    "64", "75", "77", "89", "90", "93", "95", "98", "101", "103", "106", "107",
}  # fmt: skip
README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _ibapi_ids() -> set[str]:
    return {str(v) for k, v in vars(OUT).items() if k.isupper() and isinstance(v, int)}


def _minimal(msg_id: str) -> list[str]:
    """The id, "1" for every field up to the request id, and a request id of 9000+id."""
    position = REQUESTS[msg_id][1]
    fields = [msg_id] + ["1"] * (position if position is not None else 1)
    if position is not None:
        fields[position] = f"9{int(msg_id):03d}"
    return fields


def _readme_not_modelled() -> set[str]:
    """The request names the README's simulator section says end with 322."""
    (paragraph,) = re.findall(r"Every request gets an answer:(.*?)ends with\s+IB's 322", README,
                              re.S)  # fmt: skip
    return set(re.findall(r"`(\w+)`", paragraph))


def test_the_table_holds_every_request_of_ibs_client() -> None:
    assert _ibapi_ids() - {START_API} <= set(REQUESTS)
    assert set(REQUESTS) >= {str(i) for i in range(100, 110)}  # the ids after ibapi 9.81's


async def test_every_request_gets_data_or_an_error_with_its_id_and_322_only_if_documented():
    ids = sorted((_ibapi_ids() | set(REQUESTS)) - {START_API, REQ_CURRENT_TIME}, key=int)
    silent: list[str] = []
    wrong_id: list[tuple[str, list[str]]] = []
    not_supported: set[str] = set()
    async with (
        simulator(tick_interval=MANUAL_CLOCK) as sim,
        client(sim, fetchFields=StartupFetchNONE) as ib,
        asyncio.timeout(60),
    ):
        got: list[list[str]] = []
        interpret = ib.client.decoder.interpret

        def spy(fields: list[str]) -> None:
            got.append(list(fields))
            interpret(fields)

        ib.client.decoder.interpret = spy  # type: ignore[method-assign]
        for msg_id in ids:
            fields = _minimal(msg_id)
            got.clear()
            ib.client.send(*fields)
            await ib.reqCurrentTimeAsync()  # a barrier: the request was read before it
            barrier = len(got) - 1  # the barrier's own answer, the last message so far
            if barrier == 0 and msg_id not in NO_REPLY_WHEN_ACCEPTED:
                # an answer may come later than the barrier's, within the bound
                with contextlib.suppress(TimeoutError):
                    await wait_until(lambda: len(got) > 1, within=ANSWER_BOUND)
            answers = got[:barrier] + got[barrier + 1 :]
            if not answers and msg_id not in NO_REPLY_WHEN_ACCEPTED:
                silent.append(f"{msg_id} {REQUESTS[msg_id][0]}")
            position = REQUESTS[msg_id][1]
            expected_id = fields[position] if position is not None else "-1"
            for answer in answers:
                if answer[0] == "4":  # ERR_MSG: version, request id, code, text
                    if answer[2] != expected_id:
                        wrong_id.append((msg_id, answer))
                    if answer[3] == "322":
                        name = answer[4].split("'")[1]
                        assert name == REQUESTS[msg_id][0], answer  # the request it answers
                        not_supported.add(name)
        assert ib.isConnected()
        assert 100 not in [code for _, code, _ in ib.errors]  # type: ignore[attr-defined]
    assert not silent, f"requests left without an answer: {silent}"
    assert not wrong_id, wrong_id
    assert not_supported == _readme_not_modelled(), (
        f"answered 322 but not in the README: {not_supported - _readme_not_modelled()}; "
        f"in the README but modelled: {_readme_not_modelled() - not_supported}"
    )

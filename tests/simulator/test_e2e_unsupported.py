"""Every request gets an answer: the unmodelled ones end with IB's 322, never with silence."""

from __future__ import annotations

import asyncio

from ib_async.wrapper import RequestError

from tests.simulator.e2e import client, simulator, wait_until


async def test_unmodelled_requests_end_with_an_error_carrying_their_id() -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(5):
        # ib_async returns an empty result when a request fails (RaiseRequestErrors off)
        assert not await ib.reqUserInfoAsync()
        ib.RaiseRequestErrors = True
        try:
            await ib.reqSmartComponentsAsync("a6")
        except RequestError as exc:
            assert exc.code == 322 and "'reqSmartComponents'" in exc.message
        else:
            raise AssertionError("reqSmartComponents did not fail")
        errors = ib.errors  # type: ignore[attr-defined]
        named = {text.split("'")[1] for _, code, text in errors if code == 322}
        assert named == {"reqUserInfo", "reqSmartComponents"}


async def test_requests_without_an_id_get_the_error_with_id_minus_one() -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(5):
        ib.client.send(12, 1, True)  # reqNewsBulletins
        await wait_until(lambda: any(code == 322 for _, code, _ in ib.errors))  # type: ignore[attr-defined]
        ((req_id, text),) = [(r, t) for r, c, t in ib.errors if c == 322]  # type: ignore[attr-defined]
        assert req_id == -1 and "reqNewsBulletins" in text
        assert ib.isConnected()


async def test_known_empty_answers_for_a_paper_account() -> None:
    async with simulator() as sim, client(sim) as ib, asyncio.timeout(5):
        got: dict[str, object] = {}
        ib.wrapper.softDollarTiers = lambda req_id, tiers: got.update(tiers=(req_id, tiers))  # type: ignore[method-assign]
        ib.wrapper.familyCodes = lambda codes: got.update(codes=codes)  # type: ignore[method-assign]
        ib.client.reqSoftDollarTiers(77)
        ib.client.reqFamilyCodes()
        await wait_until(lambda: len(got) == 2)
        assert got == {"tiers": (77, []), "codes": []}

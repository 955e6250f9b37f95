"""One connection attempt: a fresh ``IB`` connected and synchronised, or a clear failure.

ib_async's ``connectAsync`` waits for the API handshake until its timeout even when the
gateway has already said no (326: client id in use, then it closes the socket). Racing it
against the error and ``apiError`` events makes such an attempt fail in milliseconds.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from ib_async import IB

from adapters.ib.errors import CLIENT_ID_IN_USE
from adapters.ib.settings import IbSettings

ErrorHandler = Callable[..., None]


class ClientIdInUse(ConnectionError):
    """Another API session uses our client id (IB 326)."""


async def connect_session(
    ib_factory: Callable[[], IB],
    host: str,
    port: int,
    settings: IbSettings,
    *,
    on_error: ErrorHandler,
) -> IB:
    ib = ib_factory()
    # Requests that IB answers with an error raise RequestError (code + text) instead of
    # returning an empty result that looks like "nothing found".
    ib.RaiseRequestErrors = True
    failed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def fail(exc: BaseException) -> None:
        if not failed.done():
            failed.set_exception(exc)

    def on_connect_error(_req_id: int, code: int, text: str, _contract: object = None) -> None:
        if code == CLIENT_ID_IN_USE:
            fail(
                ClientIdInUse(
                    f"client id {settings.client_id} is already in use by another API session "
                    f"(IB {code}: {text})"
                )
            )

    def on_api_error(message: str) -> None:
        fail(ConnectionError(message))

    ib.errorEvent += on_connect_error
    ib.errorEvent += on_error
    ib.client.apiError += on_api_error
    # ib_async declares the class default as int 1; any float works (loop.call_at arithmetic).
    ib.client.RequestsInterval = settings.throttle_interval  # type: ignore[assignment]
    task = asyncio.ensure_future(
        ib.connectAsync(
            host,
            port,
            clientId=settings.client_id,
            timeout=settings.connect_timeout,
            account=settings.account or "",
        )
    )
    try:
        done, _ = await asyncio.wait(
            {task, failed}, timeout=settings.connect_timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if failed in done:
            failed.result()
        if task in done:
            task.result()
            return ib
        raise TimeoutError(f"no answer within {settings.connect_timeout:g} s")
    except BaseException:
        ib.errorEvent -= on_error
        task.cancel()
        with contextlib.suppress(BaseException):
            await task
        with contextlib.suppress(Exception):
            ib.disconnect()
        raise
    finally:
        ib.errorEvent -= on_connect_error
        ib.client.apiError -= on_api_error
        if failed.done():
            failed.exception()  # retrieved: no "exception never retrieved" noise
        else:
            failed.cancel()

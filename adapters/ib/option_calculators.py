"""IB's option calculators: calculateImpliedVolatility (54) and calculateOptionPrice (55).

IB answers each with one tickOptionComputation (tick type 53) under the request's id and
sends nothing more; the request is cancelled (56, 57) once answered or given up, as ib_async's
own helpers do. ib_async's helpers are not used: they wait a fixed 4 s and take IB's 321
("Error validating request") for a warning, so a refused calculation would only time out.
Here any error IB sends for the request ends it at once, as the domain error it means.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from ib_async import IB, OptionComputation

from adapters.ib import errors, mapping
from adapters.ib.bookkeeping import forget_request
from adapters.ib.calls import IbCalls
from domain.contract import Contract
from domain.errors import BrokerTimeout
from domain.option_quotes import OptionGreeks


def _greeks(computation: OptionComputation) -> OptionGreeks:
    return OptionGreeks(
        implied_volatility=mapping.number(computation.impliedVol),
        option_price=mapping.number(computation.optPrice),
        underlying_price=mapping.number(computation.undPrice),
        delta=mapping.greek(computation.delta),
        **mapping.option_greeks(computation),
    )


class IbOptionCalculators:
    def __init__(self, calls: IbCalls) -> None:
        self._calls = calls

    async def implied_volatility(
        self, contract: Contract, option_price: float, underlying_price: float
    ) -> OptionGreeks:
        ib_contract = mapping.to_ib_contract(contract)
        return await self._calculate(
            f"the implied volatility of {contract.local_symbol or contract.symbol}",
            lambda ib, req_id: ib.client.calculateImpliedVolatility(  # type: ignore[no-untyped-call]
                req_id, ib_contract, option_price, underlying_price, []
            ),
            lambda ib, req_id: ib.client.cancelCalculateImpliedVolatility(req_id),  # type: ignore[no-untyped-call]
        )

    async def option_price(
        self, contract: Contract, volatility: float, underlying_price: float
    ) -> OptionGreeks:
        ib_contract = mapping.to_ib_contract(contract)
        return await self._calculate(
            f"the price of {contract.local_symbol or contract.symbol}",
            lambda ib, req_id: ib.client.calculateOptionPrice(  # type: ignore[no-untyped-call]
                req_id, ib_contract, volatility, underlying_price, []
            ),
            lambda ib, req_id: ib.client.cancelCalculateOptionPrice(req_id),  # type: ignore[no-untyped-call]
        )

    async def _calculate(
        self,
        what: str,
        send: Callable[[IB, int], None],
        cancel: Callable[[IB, int], None],
    ) -> OptionGreeks:
        async def request(ib: IB) -> OptionGreeks:
            req_id = ib.client.getReqId()
            future = ib.wrapper.startReq(req_id)  # type: ignore[no-untyped-call]
            with self._calls.supervisor.watch(req_id) as watch:
                refused = asyncio.ensure_future(watch.arrived.wait())
                try:
                    send(ib, req_id)
                    while True:
                        await asyncio.wait({future, refused}, return_when=asyncio.FIRST_COMPLETED)
                        if future.done():
                            break
                        fatal = [(c, t) for c, t in watch.errors if not errors.is_warning(c)]
                        if fatal:
                            raise errors.to_domain(*fatal[0], what)
                        watch.arrived.clear()
                        refused = asyncio.ensure_future(watch.arrived.wait())
                finally:
                    refused.cancel()
                    if ib.isConnected():
                        cancel(ib, req_id)
                    forget_request(ib.wrapper, req_id)
            computation = future.result()
            if not isinstance(computation, OptionComputation):
                raise BrokerTimeout(f"IB sent no answer for {what}")
            return _greeks(computation)

        return await self._calls.run(what, request)

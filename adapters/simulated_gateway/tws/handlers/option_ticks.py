"""Option ticks beyond the model's: price computations, open interest, IB's calculators.

A quote line of an option sends, beside the model computation (13), the implied volatility
and greeks of its bid (10), ask (11) and last price (12) whenever the model's do change, and
for generic tick 101 the option's open interest once (27 for a call, 28 for a put).

calculateImpliedVolatility (54) and calculateOptionPrice (55) are answered at once with one
tickOptionComputation of type 53 (CUST_OPTION_COMPUTATION) under the request's id; their
cancels (56, 57) have nothing left to stop. A contract that is not an option, a price or a
volatility that is not positive is refused with 321, an unknown contract with 200.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adapters.simulated_gateway.markets.option_analytics import (
    CALL_OPEN_INTEREST,
    CUST_OPTION,
    MAX_VOL,
    OPEN_INTEREST_GENERIC,
    PUT_OPEN_INTEREST,
)
from adapters.simulated_gateway.model import Computation, Instrument
from adapters.simulated_gateway.model import Quote as SimQuote
from adapters.simulated_gateway.tws import messages as msg
from adapters.simulated_gateway.tws.wire import FieldReader

if TYPE_CHECKING:
    from adapters.simulated_gateway.tws.client import Client

__all__ = ["OPEN_INTEREST_GENERIC", "OptionCalculatorHandlers", "send_open_interest",
           "send_price_computations"]  # fmt: skip
VALIDATION_CODE = 321


def _computation(req_id: int, tick_type: int, c: Computation) -> list[str]:
    return msg.tick_option_computation(
        req_id, tick_type, implied_vol=c.implied_vol, delta=c.delta, opt_price=c.opt_price,
        pv_dividend=0.0, gamma=c.gamma, vega=c.vega, theta=c.theta, und_price=c.und_price,
    )  # fmt: skip


def send_price_computations(
    session: Client, req_id: int, inst: Instrument, quote: SimQuote
) -> None:
    analytics = session.world.option_analytics()
    for tick_type, computation in analytics.price_computations(inst, quote):
        session.send(_computation(req_id, tick_type, computation))


def send_open_interest(session: Client, req_id: int, inst: Instrument) -> None:
    tick = CALL_OPEN_INTEREST if inst.right == "C" else PUT_OPEN_INTEREST
    oi = session.world.option_analytics().open_interest(inst)
    session.send(msg.tick_size(req_id, tick, oi))


class OptionCalculatorHandlers:
    def __init__(self, session: Client) -> None:
        self.session = session

    def routes(self) -> dict[str, Any]:
        return {"54": self.calculate_implied_volatility, "55": self.calculate_option_price,
                "56": self._cancel, "57": self._cancel}  # fmt: skip

    def _option(self, req_id: int, r: FieldReader) -> Instrument | None:
        inst = self.session.resolve(req_id, r.contract())
        if inst is None:
            return None
        if inst.sec_type != "OPT":
            self._refuse(req_id, f"option calculations need an option; {inst.symbol} is "
                                 f"{inst.sec_type}")  # fmt: skip
            return None
        return inst

    def _refuse(self, req_id: int, cause: str) -> None:
        self.session.error(req_id, VALIDATION_CODE, f"Error validating request: cause - {cause}")

    def calculate_implied_volatility(self, fields: list[str]) -> None:
        r = FieldReader(fields, 2)
        req_id = r.integer()
        inst = self._option(req_id, r)
        if inst is None:
            return
        price, und_price = r.number(), r.number()
        if price is None or price <= 0:
            self._refuse(req_id, f"the option price must be positive; got {price}")
            return
        computation = self.session.world.option_analytics().implied_volatility(
            inst, price, und_price
        )
        self.session.send(_computation(req_id, CUST_OPTION, computation))

    def calculate_option_price(self, fields: list[str]) -> None:
        r = FieldReader(fields, 2)
        req_id = r.integer()
        inst = self._option(req_id, r)
        if inst is None:
            return
        vol, und_price = r.number(), r.number()
        if vol is None or not 0 < vol <= MAX_VOL:
            self._refuse(req_id, f"the volatility must be above 0 and at most {MAX_VOL:g}; "
                                 f"got {vol}")  # fmt: skip
            return
        computation = self.session.world.option_analytics().option_price(inst, vol, und_price)
        self.session.send(_computation(req_id, CUST_OPTION, computation))

    def _cancel(self, fields: list[str]) -> None:
        """Each calculation was answered at once: nothing is left to cancel."""

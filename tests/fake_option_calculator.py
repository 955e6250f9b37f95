"""The fake broker's option calculators (``application.ports.OptionCalculator``).

A toy model, monotone and invertible so that tests can check what reaches the caller:
price = volatility * underlying / 5; a price at or above the underlying's has no volatility.
"""

from __future__ import annotations

from typing import Any

from domain.contract import Contract
from domain.option_quotes import OptionGreeks

TOY_GREEKS = {"delta": 0.5, "gamma": 0.02, "vega": 0.1, "theta": -0.05}


class FakeOptionCalculator:
    async def implied_volatility(
        self, contract: Contract, option_price: float, underlying_price: float
    ) -> OptionGreeks:
        fake: Any = self
        fake._record("implied_volatility", contract.con_id, option_price, underlying_price)
        fake._require_connection()
        if option_price >= underlying_price:
            return OptionGreeks(option_price=option_price, underlying_price=underlying_price)
        return OptionGreeks(implied_volatility=option_price * 5 / underlying_price,
                            option_price=option_price, underlying_price=underlying_price,
                            **TOY_GREEKS)  # fmt: skip

    async def option_price(
        self, contract: Contract, volatility: float, underlying_price: float
    ) -> OptionGreeks:
        fake: Any = self
        fake._record("option_price", contract.con_id, volatility, underlying_price)
        fake._require_connection()
        return OptionGreeks(implied_volatility=volatility,
                            option_price=volatility * underlying_price / 5,
                            underlying_price=underlying_price, **TOY_GREEKS)  # fmt: skip

"""Reference requests: matching symbols (81 -> 79) and market rules (91 -> 93)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adapters.simulated_gateway.markets.market_rules import RULES
from adapters.simulated_gateway.markets.symbol_search import samples
from adapters.simulated_gateway.tws.messages_research import market_rule, symbol_samples
from adapters.simulated_gateway.tws.wire import FieldReader

if TYPE_CHECKING:
    from adapters.simulated_gateway.tws.client import Client


class ResearchHandlers:
    def __init__(self, session: Client) -> None:
        self.session = session

    def routes(self) -> dict[str, Any]:
        return {"81": self.req_matching_symbols, "91": self.req_market_rule}

    def req_matching_symbols(self, fields: list[str]) -> None:
        r = FieldReader(fields, 1)
        req_id = r.integer()
        pattern = r.text()
        world = self.session.world
        found = samples(pattern, world.listed(), world.optionable())
        self.session.send(symbol_samples(req_id, found))

    def req_market_rule(self, fields: list[str]) -> None:
        rule_id = FieldReader(fields, 1).integer()
        # An unknown rule answers no levels (the client keys the answer by the rule id).
        self.session.send(market_rule(rule_id, RULES.get(rule_id, ())))

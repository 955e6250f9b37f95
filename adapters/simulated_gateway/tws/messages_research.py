"""Server -> client reference messages: SYMBOL_SAMPLES (79) and MARKET_RULE (93)."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.simulated_gateway.markets.symbol_search import SymbolSample
from adapters.simulated_gateway.tws.messages import Fields
from adapters.simulated_gateway.tws.wire import fmt_float

SYMBOL_SAMPLES = "79"
MARKET_RULE = "93"


def symbol_samples(req_id: int, found: Sequence[SymbolSample]) -> Fields:
    """SYMBOL_SAMPLES at version 178: no version field; description and issuerId per sample
    (from version 176)."""
    fields = [SYMBOL_SAMPLES, str(req_id), str(len(found))]
    for s in found:
        fields += [str(s.con_id), s.symbol, s.sec_type, s.primary_exchange, s.currency,
                   str(len(s.derivative_sec_types)), *s.derivative_sec_types,
                   s.description, ""]  # fmt: skip
    return fields


def market_rule(rule_id: int, levels: Sequence[tuple[float, float]]) -> Fields:
    """MARKET_RULE: no version, no request id (the client keys it by the rule id)."""
    fields = [MARKET_RULE, str(rule_id), str(len(levels))]
    for low_edge, increment in levels:
        fields += [fmt_float(low_edge) or "0", fmt_float(increment)]
    return fields

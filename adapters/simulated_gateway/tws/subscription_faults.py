"""Missing subscriptions on demand: the errors IB answers when the account lacks the market
data or research permissions a request needs.

``faults.require_subscription(kinds, symbols, code)`` makes requests of those kinds of data
(for those symbols, or all) fail as they do at IB for an account without the subscription;
``faults.clear_subscriptions()`` (or ``reset()``) lifts it. What IB answers:

- quotes (reqMktData): 354 "not subscribed" when the client asked for live data; with delayed
  data asked for (reqMarketDataType 3 or 4) the warning 10167 and then delayed data (the
  request's market data type is 3). 10089, 10090 (part of the data: the rest still flows),
  10168 and 10197 (competing live session: nothing flows) on request;
- depth, tick-by-tick, real-time bars: 354 (or 10089, 10090, 10168, 10197);
- history (bars, head timestamp, historical ticks, histogram): 162 "No market data
  permissions for <exchange> <sec type>" (or 10197);
- scanner: 162 naming the missing permission; fundamentals: 430.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# TWS message id -> (kind of data, index of the request id; the contract follows it)
REQUESTS: dict[str, tuple[str, int]] = {
    "1": ("quotes", 2),
    "10": ("depth", 2),
    "97": ("ticks", 1),
    "50": ("bars", 2),
    "20": ("history", 1),
    "87": ("history", 1),
    "96": ("history", 1),
    "88": ("history", 1),
    "22": ("scanner", 1),
    "52": ("fundamentals", 2),
}
KINDS = frozenset(kind for kind, _ in REQUESTS.values())
_LIVE = frozenset({"quotes", "depth", "ticks", "bars"})

DELAYED = 10167
PARTIAL = 10090
COMPETING = 10197
TEXTS = {
    354: "Requested market data is not subscribed.",
    10089: "Requested market data requires additional subscription for API. See link in "
    "'Market Data Connections' dialog for more details.",
    PARTIAL: "Part of requested market data is not subscribed. Subscription-independent ticks "
    "are still active.Delayed market data is not available.",
    DELAYED: "Requested market data is not subscribed. Displaying delayed market data.",
    10168: "Requested market data is not subscribed. Delayed market data is not enabled.",
    COMPETING: "No market data during competing live session",
    430: "We are sorry, but fundamentals data for the security specified is not available.",
}
HISTORY_TEXT = "Historical Market Data Service error message:No market data permissions for {}"
SCANNER_TEXT = (
    "Historical Market Data Service error message:Scanner filter or location not permitted: "
    "no market data permissions for {}"
)
CODES = {
    **dict.fromkeys(_LIVE, frozenset({354, 10089, PARTIAL, 10168, COMPETING})),
    "history": frozenset({162, COMPETING}),
    "scanner": frozenset({162}),
    "fundamentals": frozenset({430}),
}
CODES["quotes"] = CODES["quotes"] | {DELAYED}


@dataclass(frozen=True, slots=True)
class Rule:
    code: int | None  # None: what IB answers for this kind (see the module's docstring)
    symbols: frozenset[str] | None  # None: every contract


def _names(value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return [item.strip() for item in items if item.strip()]


def make_rules(
    kinds: str | Iterable[str], symbols: str | Iterable[str] | None, code: int | None
) -> dict[str, Rule]:
    """The rule for each kind named (``all`` names every kind); ValueError when a kind or a
    code is not one IB uses for it."""
    names = _names(kinds) or ["all"]
    chosen = sorted(KINDS) if "all" in names else names
    unknown = [kind for kind in chosen if kind not in KINDS]
    if unknown:
        raise ValueError(f"unknown kinds {unknown}; kinds: all, {', '.join(sorted(KINDS))}")
    if code is not None:
        wrong = [kind for kind in chosen if code not in CODES[kind]]
        if wrong:
            raise ValueError(f"IB does not answer {code} for {wrong}")
    wanted = frozenset(s.upper() for s in _names(symbols)) or None
    return {kind: Rule(code, wanted) for kind in chosen}

"""reqMatchingSymbols for the simulated universe: IB's symbol samples (at most 16)."""

from __future__ import annotations

from dataclasses import dataclass

from adapters.simulated_gateway.model import Instrument

MAX_SAMPLES = 16


@dataclass(frozen=True, slots=True)
class SymbolSample:
    """One ContractDescription: the contract and the derivative sec types listed on it."""

    con_id: int
    symbol: str
    sec_type: str
    primary_exchange: str
    currency: str
    description: str
    derivative_sec_types: tuple[str, ...]


def samples(pattern: str, listed: list[Instrument], optionable: set[int]) -> list[SymbolSample]:
    """Symbols starting with the pattern first, then symbols or names containing it."""
    wanted = pattern.strip().upper()
    if not wanted:
        return []
    out: dict[tuple[str, str], tuple[int, SymbolSample]] = {}
    for inst in listed:
        sample = _sample(inst, optionable)
        symbol, name = sample.symbol.upper(), sample.description.upper()
        if symbol == wanted:
            rank = 0
        elif symbol.startswith(wanted):
            rank = 1
        elif wanted in symbol or name.startswith(wanted):
            rank = 2
        elif wanted in name:
            rank = 3
        else:
            continue
        key = (sample.symbol, sample.sec_type)
        if key not in out or rank < out[key][0]:
            out[key] = (rank, sample)
    ranked = sorted(out.values(), key=lambda pair: (pair[0], pair[1].symbol))
    return [sample for _, sample in ranked[:MAX_SAMPLES]]


def _sample(inst: Instrument, optionable: set[int]) -> SymbolSample:
    if inst.sec_type == "FUT":
        # IB answers a future's underlying index, with the futures listed on it.
        return SymbolSample(inst.under_con_id, inst.under_symbol or inst.symbol,
                            inst.under_sec_type or "IND", inst.primary_exchange, inst.currency,
                            inst.long_name, ("FUT", "FOP"))  # fmt: skip
    derivatives: tuple[str, ...] = ()
    if inst.con_id in optionable:
        derivatives = ("OPT",) if inst.sec_type == "STK" else ("OPT", "FUT")
    primary = inst.primary_exchange or inst.exchange
    return SymbolSample(inst.con_id, inst.symbol, inst.sec_type, primary, inst.currency,
                        inst.long_name, derivatives)  # fmt: skip

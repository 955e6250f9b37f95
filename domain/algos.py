"""IB's execution algos an order may ask for: Adaptive, TWAP and VWAP, with their parameters.

IB takes an algo as a strategy name plus tag=value parameters (``algoStrategy`` and
``algoParams``). Each strategy's parameters are checked here and written as IB spells them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

import msgspec
import msgspec.structs
from msgspec import Meta

from domain.errors import InvalidRequest

_TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]( [A-Za-z_/+-]+)?$")
ParamValue = str | bool | int | float


def _choice(*accepted: str) -> Callable[[str, ParamValue], str]:
    def check(name: str, value: ParamValue) -> str:
        text = str(value)
        match = next((a for a in accepted if a.lower() == text.lower()), None)
        if match is None:
            raise InvalidRequest(
                f"algo parameter {name} must be one of {', '.join(accepted)}; got {text!r}",
                field=f"algo.params.{name}",
                accepted=list(accepted),
            )
        return match

    return check


def _time(name: str, value: ParamValue) -> str:
    text = str(value).strip()
    if not _TIME.match(text):
        raise InvalidRequest(
            f"algo parameter {name} must be 'HH:MM:SS' with an optional time zone, e.g. "
            f"'09:45:00 US/Eastern'; got {text!r}",
            field=f"algo.params.{name}",
        )
    return text


def _flag(name: str, value: ParamValue) -> str:
    if isinstance(value, bool) or value in (0, 1):
        return "1" if value else "0"
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "0", "false", "no"):
        return "1" if text in ("1", "true", "yes") else "0"
    raise InvalidRequest(
        f"algo parameter {name} is true or false; got {value!r}", field=f"algo.params.{name}"
    )


def _fraction(name: str, value: ParamValue) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = -1.0
    if isinstance(value, bool) or not 0.01 <= number <= 0.5:
        raise InvalidRequest(
            f"algo parameter {name} is a fraction of the volume from 0.01 to 0.5; got {value!r}",
            field=f"algo.params.{name}",
        )
    return f"{number:g}"


# strategy -> parameter -> checker (returns IB's text for the value)
ALGO_PARAMS: dict[str, dict[str, Callable[[str, ParamValue], str]]] = {
    "Adaptive": {"adaptivePriority": _choice("Urgent", "Normal", "Patient")},
    "Twap": {
        "strategyType": _choice(
            "Marketable", "Matching Midpoint", "Matching Same Side", "Matching Last"
        ),
        "startTime": _time,
        "endTime": _time,
        "allowPastEndTime": _flag,
    },
    "Vwap": {
        "maxPctVol": _fraction,
        "startTime": _time,
        "endTime": _time,
        "allowPastEndTime": _flag,
        "noTakeLiq": _flag,
    },
}
ALGO_STRATEGIES = tuple(ALGO_PARAMS)
# What IB assumes when a parameter is left out, written into the order so that it says so.
ALGO_DEFAULTS = {"Adaptive": {"adaptivePriority": "Normal"}, "Twap": {"strategyType": "Marketable"}}


class Algo(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An IB algo: ``strategy`` Adaptive, Twap or Vwap, and its ``params`` by IB's names."""

    strategy: Annotated[
        str,
        Meta(
            description="Adaptive, Twap (equal slices over a time window) or Vwap (slices in "
            "step with the volume)",
            examples=["Adaptive"],
        ),
    ]
    params: Annotated[
        dict[str, ParamValue],
        Meta(
            description="By IB's names. Adaptive: adaptivePriority (Urgent, Normal, Patient). "
            "Twap: strategyType, startTime, endTime ('HH:MM:SS US/Eastern'), allowPastEndTime. "
            "Vwap: maxPctVol (0.01-0.5), startTime, endTime, allowPastEndTime, noTakeLiq",
            examples=[{"adaptivePriority": "Patient"}],
        ),
    ] = msgspec.field(default_factory=dict)

    def __post_init__(self) -> None:
        word = self.strategy.strip().lower()
        strategy = next((s for s in ALGO_STRATEGIES if s.lower() == word), None)
        if strategy is None:
            raise InvalidRequest(
                f"algo.strategy must be one of {', '.join(ALGO_STRATEGIES)}; got {self.strategy!r}",
                field="algo.strategy",
                accepted=list(ALGO_STRATEGIES),
            )
        checks = ALGO_PARAMS[strategy]
        params = dict(ALGO_DEFAULTS.get(strategy, {}))
        for name, value in self.params.items():
            check = checks.get(name)
            if check is None:
                raise InvalidRequest(
                    f"{strategy} takes the parameters {', '.join(checks)}; not {name!r}",
                    field=f"algo.params.{name}",
                    accepted=list(checks),
                )
            params[name] = check(name, value)
        msgspec.structs.force_setattr(self, "strategy", strategy)
        msgspec.structs.force_setattr(self, "params", params)

    def tag_values(self) -> list[tuple[str, str]]:
        """The parameters as IB's tag=value pairs."""
        return [(name, str(value)) for name, value in self.params.items()]


class AlgoTerms(msgspec.Struct, frozen=True, kw_only=True):
    """An algo as IB reports it on a working order (any strategy, parameters as IB wrote them)."""

    strategy: str
    params: dict[str, str] = msgspec.field(default_factory=dict)

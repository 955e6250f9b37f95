"""Small validators shared by the domain models (stdlib only)."""

from __future__ import annotations

import re
from datetime import datetime

from domain.errors import InvalidRequest

_EXPIRY = re.compile(r"^[0-9]{6}([0-9]{2})?$")
_GOOD_TILL = re.compile(r"^([0-9]{8})[ -]([0-9]{2}):([0-9]{2}):([0-9]{2})(?: ([A-Za-z_/+-]+))?$")


def check_expiry(value: str, field: str) -> None:
    """An IB expiry: ``YYYYMM`` (contract month) or ``YYYYMMDD``, and a real calendar date."""
    if not value:
        return
    if not _EXPIRY.match(value):
        raise InvalidRequest(f"{field} must be YYYYMMDD or YYYYMM, got {value!r}", field=field)
    fmt = "%Y%m%d" if len(value) == 8 else "%Y%m"
    try:
        datetime.strptime(value, fmt)
    except ValueError:
        raise InvalidRequest(f"{field} is not a real date: {value!r}", field=field) from None


def check_good_till(value: str, field: str) -> None:
    """IB's good-till format ``YYYYMMDD HH:MM:SS`` with an optional time-zone name."""
    match = _GOOD_TILL.match(value)
    if not match:
        raise InvalidRequest(
            f"{field} must look like 'YYYYMMDD HH:MM:SS' (optionally followed by a time zone "
            f"such as 'US/Eastern'), got {value!r}",
            field=field,
        )
    try:
        datetime.strptime(f"{match[1]} {match[2]}:{match[3]}:{match[4]}", "%Y%m%d %H:%M:%S")
    except ValueError:
        raise InvalidRequest(
            f"{field} is not a real date and time: {value!r}", field=field
        ) from None


def check_choice(value: str, accepted: tuple[str, ...], field: str) -> None:
    if value not in accepted:
        raise InvalidRequest(
            f"{field} must be one of {', '.join(accepted)}; got {value!r}",
            field=field,
            accepted=list(accepted),
        )

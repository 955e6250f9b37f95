"""Deterministic Brownian paths that can be read at any instant without walking to it.

Each path is built by Lévy's midpoint construction over whole seconds since ``EPOCH``: the value
at the midpoint of every dyadic interval is the bridge mean plus a hashed normal keyed by that
midpoint. Reading one instant costs ~31 hashes, a sorted batch shares the upper levels, and the
answer depends only on (key, time), never on which instants were read before or on the wall clock.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Sequence
from datetime import UTC, datetime

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # path time is plain Unix time
_LEVELS = 32  # 2**32 seconds: the path covers 1970..2106
_SPAN = 1 << _LEVELS
_MASK = (1 << 64) - 1
_COARSE = 1 << 13
SECONDS_PER_YEAR = 365.25 * 86400


def mix64(x: int) -> int:
    """SplitMix64's finaliser: a cheap, well-spread 64-bit hash."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def key_of(*parts: int) -> int:
    """Fold integers (seed, conId, stream tag, ...) into one 64-bit key."""
    k = 0x243F6A8885A308D3
    for p in parts:
        k = mix64(k ^ (p & _MASK))
    return k


def uniform(key: int) -> float:
    """A uniform draw in the open interval (0, 1)."""
    return ((mix64(key) >> 11) + 0.5) * (1.0 / (1 << 53))


def normal(key: int) -> float:
    """A standard normal draw (Box-Muller on two hashed uniforms)."""
    u1 = uniform(key)
    u2 = uniform(key ^ 0x5851F42D4C957F2D)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


def seconds(t: datetime) -> float:
    return t.timestamp()


class BrownianPath:
    """Standard Brownian motion W(t) on seconds since EPOCH, pinned to 0 at both ends."""

    __slots__ = ("_coarse", "_key")

    def __init__(self, key: int) -> None:
        self._key = key
        # Nodes spanning hours or more are shared by nearly every read: remember them.
        self._coarse: dict[int, float] = {}

    def _mid(self, a: int, wa: float, b: int, wb: float) -> tuple[int, float]:
        m = (a + b) >> 1
        if b - a >= _COARSE:
            w = self._coarse.get(m)
            if w is None:
                w = self._coarse[m] = 0.5 * (wa + wb) + 0.5 * math.sqrt(b - a) * normal(
                    self._key ^ m
                )
            return m, w
        return m, 0.5 * (wa + wb) + 0.5 * math.sqrt(b - a) * normal(self._key ^ m)

    def _at_int(self, t: int) -> float:
        t = min(max(t, 0), _SPAN)
        a, wa, b, wb = 0, 0.0, _SPAN, 0.0
        while True:
            if t == a:
                return wa
            if t == b:
                return wb
            m, wm = self._mid(a, wa, b, wb)
            if t < m:
                b, wb = m, wm
            else:
                a, wa = m, wm

    def at(self, t: float) -> float:
        """W at ``t`` seconds; linear between whole seconds."""
        lo = math.floor(t)
        w = self._at_int(lo)
        frac = t - lo
        return w if frac == 0 else w + frac * (self._at_int(lo + 1) - w)

    def many(self, ts: Sequence[int]) -> list[float]:
        """W at each of the sorted whole seconds ``ts`` (cheaper than one ``at`` each)."""
        out = [0.0] * len(ts)
        stack = [(0, 0.0, _SPAN, 0.0, 0, len(ts))]
        while stack:
            a, wa, b, wb, lo, hi = stack.pop()
            while lo < hi and ts[lo] <= a:
                out[lo] = wa
                lo += 1
            while hi > lo and ts[hi - 1] >= b:
                out[hi - 1] = wb
                hi -= 1
            if lo >= hi:
                continue
            m, wm = self._mid(a, wa, b, wb)
            split = bisect_left(ts, m, lo, hi)
            stack.append((a, wa, m, wm, lo, split))
            stack.append((m, wm, b, wb, split, hi))
        return out


def bridge_extremes(x0: float, x1: float, variance: float, key: int) -> tuple[float, float]:
    """(max, min) of a Brownian bridge from x0 to x1 with the given total variance.

    Exact inverse-CDF draws: P(max - x0 > m) = exp(-2 m (m - d) / variance), d = x1 - x0.
    """
    d = x1 - x0
    v = max(variance, 0.0)
    hi = x0 + 0.5 * (d + math.sqrt(d * d - 2.0 * v * math.log(uniform(key))))
    lo = x0 + 0.5 * (d - math.sqrt(d * d - 2.0 * v * math.log(uniform(key ^ 0x1F))))
    return hi, lo

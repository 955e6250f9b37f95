"""Exponential back-off with jitter, for reconnect attempts."""

from __future__ import annotations

import random
from collections.abc import Callable


class Backoff:
    """Delays ``initial * 2**n`` capped at ``maximum``, each reduced by up to ``jitter`` of itself.

    Jitter keeps several services (or several restarts) from hammering a gateway in lock step.
    """

    def __init__(
        self,
        initial: float = 1.0,
        maximum: float = 60.0,
        jitter: float = 0.2,
        rng: Callable[[], float] = random.random,
    ) -> None:
        if initial <= 0 or maximum < initial or not 0 <= jitter < 1:
            raise ValueError("need 0 < initial <= maximum and 0 <= jitter < 1")
        self.initial = initial
        self.maximum = maximum
        self.jitter = jitter
        self._rng = rng
        self.attempt = 0

    def next_delay(self) -> float:
        """The delay before the next attempt; each call moves one step up the ladder."""
        base = min(self.maximum, self.initial * float(2 ** min(self.attempt, 64)))
        self.attempt += 1
        return base * (1.0 - self.jitter * float(self._rng()))

    def reset(self) -> None:
        self.attempt = 0

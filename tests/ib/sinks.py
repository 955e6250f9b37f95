"""A StreamSink that records what a feed delivers, for tests."""

from __future__ import annotations

from typing import Generic, TypeVar

from domain.errors import DomainError

T = TypeVar("T")


class RecordingSink(Generic[T]):
    def __init__(self) -> None:
        self.items: list[T] = []
        self.stale_reasons: list[str] = []
        self.failures: list[DomainError] = []
        # (kind, index into items) in the order things happened: "push" or "stale"
        self.log: list[str] = []

    def push(self, item: T) -> None:
        self.items.append(item)
        self.log.append("push")

    def stale(self, reason: str) -> None:
        self.stale_reasons.append(reason)
        self.log.append("stale")

    def fail(self, error: DomainError) -> None:
        self.failures.append(error)
        self.log.append("fail")

    def pushes_after_stale(self) -> int:
        """How many pushes came after the last ``stale``."""
        last = len(self.log) - 1 - self.log[::-1].index("stale") if "stale" in self.log else -1
        return self.log[last + 1 :].count("push")

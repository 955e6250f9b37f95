"""How the broker adapter talks to the gateway: address, identity, time limits, back-off."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class IbSettings:
    """Settings of one TWS API session (the ``Broker`` adapter on ib_async)."""

    host: str = "127.0.0.1"
    port: int = 4002
    # A stable, non-zero id: 0 is the "master" client that also binds manual TWS orders.
    client_id: int = 17
    account: str | None = None
    readonly: bool = False
    connect_timeout: float = 20.0
    request_timeout: float = 10.0
    # A request's time limit (request_timeout) counts from when it is sent; waiting to be sent
    # (behind ib_async's throttle, or an earlier request of the same fixed-key kind) has this
    # bound of its own.
    queue_timeout: float = 30.0
    historical_timeout: float = 60.0
    order_ack_timeout: float = 10.0
    # 1 live, 2 frozen, 3 delayed, 4 delayed frozen: what to ask for first ...
    market_data_type: int = 1
    # ... and what to fall back to when IB says the account has no live subscription (354/10167).
    market_data_fallback: int | None = 3
    # Reconnect back-off: initial * 2**attempt, capped, minus up to ``jitter`` of it at random.
    backoff_initial: float = 1.0
    backoff_max: float = 60.0
    backoff_jitter: float = 0.2
    # ib_async's throttle: at most 45 messages per this many seconds. ib_async's own 1 s sends
    # the next burst exactly one second after the last, so a few ms of network or event-loop
    # jitter puts 90 messages into one of IB's 1 s windows (error 100, 50/s); 1.1 s leaves room.
    throttle_interval: float = 1.1
    # Snapshots hold a market data line while open; IB allows 100 lines by default.
    max_concurrent_snapshots: int = 50
    max_concurrent_qualifications: int = 32
    contract_cache_ttl: float = 600.0
    # IB refuses an identical historical request within 15 s: serve it from this cache instead.
    historical_cache_ttl: float = 15.0
    # A live subscription (quotes, bars, depth, ticks) waits this long after its request for
    # IB's first data or refusal, so that a refusal (101, 200...) is raised to the caller;
    # later refusals reach the subscriber instead.
    stream_open_wait: float = 1.0

"""Counting attempts against a limit in the rate-limit storage (Redis when configured).

Flask-Limiter's decorators pick the bucket before the view runs, so they can count
neither "only failed sign-ins" nor "only calls with a verified API key". These helpers
use the same storage and strategy directly, for the callers that know the outcome:
sign-in (per client, per account and client, per account) and the API (per verified
store; failed keys per client).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from functools import lru_cache

from limits import RateLimitItem, parse_many

from ..extensions import limiter


@dataclass(frozen=True)
class Bucket:
    """One counter: a limit spec ("5 per minute; 20 per hour") and the key it counts for."""

    spec: str
    name: str
    key: str

    def items(self) -> tuple[RateLimitItem, ...]:
        return _parse(self.spec)


@lru_cache(maxsize=64)
def _parse(spec: str) -> tuple[RateLimitItem, ...]:
    """A spec's limits, parsed once per process (every API call counts and reports its quota;
    the items are read-only values)."""
    return tuple(parse_many(spec))


def wait_seconds(buckets: list[Bucket]) -> int:
    """Seconds until one more attempt is allowed in every bucket (0 = allowed now)."""
    strategy, now, wait = limiter.limiter, time.time(), 0
    for bucket in buckets:
        for item in bucket.items():
            if not strategy.test(item, bucket.name, bucket.key):
                reset = strategy.get_window_stats(item, bucket.name, bucket.key).reset_time
                wait = max(wait, math.ceil(reset - now), 1)
    return wait


def count(buckets: list[Bucket]) -> bool:
    """Count one attempt in every bucket; False when one of them was already full."""
    strategy, ok = limiter.limiter, True
    for bucket in buckets:
        for item in bucket.items():
            ok = strategy.hit(item, bucket.name, bucket.key) and ok
    return ok


def clear(bucket: Bucket) -> None:
    for item in bucket.items():
        limiter.limiter.clear(item, bucket.name, bucket.key)


def remaining(bucket: Bucket) -> tuple[int, int, int]:
    """(limit, remaining, reset epoch) of the bucket's shortest window, for X-RateLimit-* headers."""
    item = min(bucket.items(), key=lambda i: i.get_expiry())
    stats = limiter.limiter.get_window_stats(item, bucket.name, bucket.key)
    return item.amount, max(stats.remaining, 0), int(stats.reset_time)

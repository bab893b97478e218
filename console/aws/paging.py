"""Pagination, batching and bounded concurrency within AWS's throttling budgets.

The number of calls must grow with pages, not with resources: list once,
describe in the largest batch the API allows, and run the batches
concurrently, but never faster than the API's token bucket refills.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class TokenBucket:
    """AWS's throttling model: ``burst`` tokens, refilled at ``rate`` per second.

    Together with ``concurrency`` (calls in flight at once) it keeps a refresh
    loop inside the documented budget instead of relying on retries.
    """

    rate: float
    burst: int
    concurrency: int = 10
    _tokens: float = field(init=False)
    _stamp: float = field(init=False)
    _lock: asyncio.Lock | None = field(default=None, init=False)
    _sem: asyncio.Semaphore | None = field(default=None, init=False)
    _loop: Any = field(default=None, init=False)
    calls: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self._tokens = float(self.burst)
        self._stamp = time.monotonic()

    def _bind(self) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # primitives belong to one event loop
            self._loop = loop
            self._lock = asyncio.Lock()
            self._sem = asyncio.Semaphore(self.concurrency)

    async def _take(self) -> None:
        assert self._lock is not None
        async with self._lock:
            while True:
                now = time.monotonic()
                self._tokens = min(float(self.burst), self._tokens + (now - self._stamp) * self.rate)
                self._stamp = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                await asyncio.sleep((1 - self._tokens) / self.rate)

    async def run(self, call: Callable[[], Awaitable[R]]) -> R:
        self._bind()
        assert self._sem is not None
        async with self._sem:
            await self._take()
            self.calls += 1
            return await call()


# Documented ECS API throttles (requests per second sustained, burst) per bucket.
ECS_BUCKETS: dict[str, tuple[float, int]] = {
    "service_read": (20, 100),  # DescribeServices, ListServices
    "cluster_read": (20, 100),  # DescribeClusters, ListClusters, ListTasks, DescribeTasks, ...
    "task_def_read": (20, 100),
    "update_service": (5, 50),
    "register_task_def": (1, 20),
    "logs_filter": (5, 5),  # FilterLogEvents: 5 TPS per account and region
    "logs_describe": (5, 5),  # DescribeLogGroups/Streams
    "logs_get": (25, 25),  # GetLogEvents
    "default": (20, 100),
}


class Budget:
    """Token buckets keyed by (account, region, bucket name): AWS throttles per account and region.

    The account is the place's (console.accounts.Place) in a fleet, "" for the profile's own.
    """

    def __init__(self, concurrency: int = 10, buckets: dict[str, tuple[float, int]] | None = None) -> None:
        self.concurrency = concurrency
        self.specs = dict(ECS_BUCKETS if buckets is None else buckets)
        self._buckets: dict[tuple[str, str, str], TokenBucket] = {}

    def bucket(self, region: str, name: str) -> TokenBucket:
        account = getattr(region, "account", None)
        key = (account.key if account is not None else "", str(region), name)
        if key not in self._buckets:
            rate, burst = self.specs.get(name, self.specs["default"])
            self._buckets[key] = TokenBucket(rate, burst, self.concurrency)
        return self._buckets[key]

    async def call(self, region: str, name: str, fn: Callable[..., Awaitable[R]], **kwargs: Any) -> R:
        return await self.bucket(region, name).run(lambda: fn(**kwargs))


def chunks(items: Sequence[T], size: int) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def pages(
    budget: Budget,
    region: str,
    bucket: str,
    fn: Callable[..., Awaitable[dict[str, Any]]],
    *,
    token_in: str = "nextToken",
    token_out: str = "nextToken",
    start: str | None = None,
    **kwargs: Any,
) -> AsyncIterator[dict[str, Any]]:
    """Every page of a paginated call (from the token ``start`` on), each call taken from the bucket."""
    token: str | None = start
    seen: set[str] = set()
    while True:
        args = dict(kwargs)
        if token:
            args[token_in] = token
        page = await budget.call(region, bucket, fn, **args)
        yield page
        token = page.get(token_out)
        if not token or token in seen:  # a repeated token would loop forever
            return
        seen.add(token)


async def gather_batches(
    items: Sequence[T],
    size: int,
    fn: Callable[[Sequence[T]], Awaitable[list[R]]],
) -> list[R]:
    """Run ``fn`` on batches of ``items`` concurrently (the bucket bounds them) and flatten."""
    results = await asyncio.gather(*(fn(batch) for batch in chunks(items, size)))
    return [item for batch in results for item in batch]

"""Reading a time range at wire speed: split it into parts and read them concurrently, in order.

One FilterLogEvents chain over a long, busy range is one call at a time, and each call
costs the server the whole rest of the range (moto sorts every event of it per call;
AWS scans it stream by stream).  So a range is read like this:

1. one page over the whole range: a quiet range ends here, in one call;
2. otherwise the events of that page before its last timestamp are final (the
   remaining events at that millisecond come with the rest), and the density they
   show estimates how many events the rest ``[last, end]`` holds;
3. the rest is cut into consecutive parts of about :data:`PART_EVENTS` events
   (inclusive millisecond bounds, no overlap, no gap: nothing twice, nothing lost),
   at most :data:`MAX_PARTS`; each part follows its own nextToken chain;
4. up to :data:`PART_CONCURRENCY` parts are read at once, each holding at most
   :data:`PART_QUEUE` pages ahead, and pages are handed on in time order.

Every call still takes a token from the ``logs_filter`` bucket (FilterLogEvents' 5 TPS
per account and region), so concurrency never exceeds the budget; it only stops the
reader from waiting on one call at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import math
from collections.abc import AsyncIterator, Awaitable, Callable

from console.aws.logs import FilterPage
from console.model import LogEvent

PART_EVENTS = 8_000  # aimed-for events per part: about one page of 10,000
MAX_PARTS = 64
PART_CONCURRENCY = 4
PART_QUEUE = 2  # pages a part may read ahead of the one being handed on

Fetch = Callable[[int | None, int | None, str | None], Awaitable[FilterPage]]
_DONE = object()


async def chain(fetch: Fetch, start: int | None, end: int | None) -> AsyncIterator[list[LogEvent]]:
    """Every page of one FilterLogEvents search, following nextToken (a repeated token ends it)."""
    token: str | None = None
    tokens: set[str] = set()
    while True:
        page = await fetch(start, end, token)
        yield list(page.events)
        token = page.next_token
        if not token or token in tokens:
            return
        tokens.add(token)


def split(start: int, end: int, parts: int) -> list[tuple[int, int]]:
    """``parts`` consecutive inclusive ranges covering ``[start, end]`` exactly."""
    parts = max(1, min(parts, end - start + 1))
    width = (end - start + 1) / parts
    bounds = [start + round(i * width) for i in range(parts)] + [end + 1]
    return [(lo, hi - 1) for lo, hi in itertools.pairwise(bounds) if hi > lo]


def plan_parts(start: int, end: int, first: list[LogEvent]) -> tuple[list[LogEvent], list[tuple[int, int]]]:
    """The first page's final events and the parts the rest of ``[start, end]`` is read in."""
    last = max(e.timestamp for e in first)
    final = [e for e in first if e.timestamp < last]
    covered = max(1, last - start)
    estimate = len(final) / covered * (end - last + 1) if final else PART_EVENTS * MAX_PARTS
    parts = max(1, min(MAX_PARTS, math.ceil(estimate / PART_EVENTS)))
    return final, split(last, end, parts)


async def read_range(fetch: Fetch, start: int | None, end: int | None) -> AsyncIterator[list[LogEvent]]:
    """The events of ``[start, end]`` page by page in time order (within a page, as the server sent)."""
    first = await fetch(start, end, None)
    if not first.next_token or start is None or end is None or not first.events:
        yield list(first.events)
        if first.next_token:  # an open range: one chain, as the server pages it
            tokens = {first.next_token}
            token: str | None = first.next_token
            while token:
                page = await fetch(start, end, token)
                yield list(page.events)
                token = page.next_token if page.next_token not in tokens else None
                if token:
                    tokens.add(token)
        return
    final, parts = plan_parts(start, end, list(first.events))
    yield final
    async for events in _parts_in_order(fetch, parts):
        yield events


async def _parts_in_order(fetch: Fetch, parts: list[tuple[int, int]]) -> AsyncIterator[list[LogEvent]]:
    queues: list[asyncio.Queue[object]] = [asyncio.Queue(PART_QUEUE) for _ in parts]
    gate = asyncio.Semaphore(PART_CONCURRENCY)

    async def produce(index: int, lo: int, hi: int) -> None:
        queue = queues[index]
        async with gate:
            try:
                async for page in chain(fetch, lo, hi):
                    await queue.put(page)
            except BaseException as exc:  # handed on in order, raised where the pages are read
                await queue.put(exc)
                return
        await queue.put(_DONE)

    tasks = [asyncio.ensure_future(produce(i, lo, hi)) for i, (lo, hi) in enumerate(parts)]
    try:
        for queue in queues:
            while True:
                item = await queue.get()
                if item is _DONE:
                    break
                if isinstance(item, BaseException):
                    raise item
                assert isinstance(item, list)
                yield item
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task


__all__ = ["chain", "plan_parts", "read_range", "split"]

"""Reading a range in concurrent parts: every event exactly once, in time order, within the budget."""

from __future__ import annotations

import asyncio
import itertools
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.aws.paging import ECS_BUCKETS, Budget
from console.aws.session import AwsContext
from console.logs import ranges
from console.logs.follow import Follower
from console.logs.sources import LogSource
from console.logs.threaded import ReaderLoop, ThreadedFollower

from .conftest import REGION, LogWriter

pytestmark = pytest.mark.timeout(180)


@given(st.integers(0, 10**12), st.integers(0, 10**7), st.integers(1, 100))
def test_parts_cover_the_range_exactly(start: int, width: int, parts: int) -> None:
    end = start + width
    got = ranges.split(start, end, parts)
    assert got[0][0] == start and got[-1][1] == end
    assert all(lo <= hi for lo, hi in got)
    assert all(b[0] == a[1] + 1 for a, b in itertools.pairwise(got)), "no gap, no overlap"
    assert len(got) <= parts


async def test_a_busy_range_is_read_in_parts_each_event_once_in_order(
    writer: LogWriter, logs_endpoint: str
) -> None:
    streams = ("app/web/a", "app/web/b", "app/worker/c")
    group = writer.group("ranges", streams)
    base = int(time.time() * 1000) - 600_000
    total = 0
    for i, stream in enumerate(streams):
        # 3 ms apart per stream, the streams interleaved, some events sharing a millisecond
        total += 6_000
        writer.put(group, stream, [f"{stream} {n}" for n in range(6_000)], ts=base + i, step=3)
    end = base + 18_100
    async with AwsContext(endpoint_url=logs_endpoint) as aws:
        budget = Budget(buckets={**ECS_BUCKETS, "logs_filter": (50, 50)})
        follower = Follower(aws, [LogSource(group, REGION)], budget=budget, page_size=2_000)
        got = await follower.fetch_range(base, end)
    assert len(got) == total and len({(e.stream, e.message) for e in got}) == total, "each event once"
    assert [e.timestamp for e in got] == sorted(e.timestamp for e in got), "in time order"
    assert follower.stats.calls > 2, "the rest of the range was read in parts"


async def test_a_quiet_range_is_one_call(writer: LogWriter, logs_endpoint: str) -> None:
    group = writer.group("quiet")
    base = int(time.time() * 1000) - 60_000
    writer.put(group, "app/web/task1", ["one", "two"], ts=base)
    async with AwsContext(endpoint_url=logs_endpoint) as aws:
        follower = Follower(aws, [LogSource(group, REGION)])
        assert [e.message for e in await follower.fetch_range(base - 3_600_000, base + 10)] == ["one", "two"]
    assert follower.stats.calls == 1


async def test_a_threaded_follow_delivers_on_the_callers_loop_and_stops(
    writer: LogWriter, logs_endpoint: str
) -> None:
    group = writer.group("threaded")
    base = int(time.time() * 1000) - 5_000
    writer.put(group, "app/web/task1", [f"line {n}" for n in range(50)], ts=base)

    def context() -> tuple[AwsContext, Budget]:
        return AwsContext(endpoint_url=logs_endpoint), Budget()

    reader = ReaderLoop(context)
    follower = ThreadedFollower(reader, [LogSource(group, REGION)], since=base - 1, interval=0.05)
    got: list[str] = []

    async def read() -> None:
        async for batch in follower:
            got.extend(e.message for e in batch)
            if len(got) >= 51:
                follower.stop()

    reading = asyncio.ensure_future(read())
    deadline = time.monotonic() + 60
    while len(got) < 50 and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    writer.put(group, "app/web/task1", ["while following"])
    await asyncio.wait_for(reading, 60)
    assert got == [*(f"line {n}" for n in range(50)), "while following"]
    assert follower.stopped
    deadline = time.monotonic() + 30
    while not follower.done and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert follower.done, "the follow ends on the reader's loop once stopped"
    reader.close()

"""The follow engine against the embedded AWS: no gaps, no duplicates, order, throttling, ranges."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from collections.abc import Callable

import boto3
import pytest

from console.aws.ecs import to_task_definition
from console.aws.paging import ECS_BUCKETS, Budget
from console.aws.session import AwsContext, ClientSettings
from console.logs.filter import LineFilter
from console.logs.follow import Follower
from console.logs.sources import LogSource, groups_for_service, sources_for_task, streams_for_task
from console.model import LogEvent

from .conftest import REGION, LogWriter, set_faults

pytestmark = pytest.mark.timeout(120)


def fast() -> Budget:
    """AWS's 5 TPS for FilterLogEvents would make these tests wait; pacing is not what they test."""
    return Budget(buckets={**ECS_BUCKETS, "logs_filter": (200, 200)})


def now() -> int:
    return int(time.time() * 1000)


async def collect_until(
    follower: Follower, done: Callable[[list[LogEvent]], bool], timeout: float = 45
) -> list[LogEvent]:
    """Follow until ``done(events)`` or the deadline; the caller's asserts say what was missing."""
    got: list[LogEvent] = []

    async def run() -> None:
        async for batch in follower:
            got.extend(batch)
            if done(got):
                follower.stop()

    try:
        await asyncio.wait_for(run(), timeout)
    except TimeoutError:
        follower.stop()
    return got


def write_in_background(
    writer: LogWriter, plan: list[tuple[str, str, list[str], int | None]], pause: float
) -> threading.Thread:
    def work() -> None:
        for group, stream, messages, back_ms in plan:
            ts = None if back_ms is None else now() - back_ms
            writer.put(group, stream, messages, ts=ts)
            time.sleep(pause)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread


async def test_follow_while_writing_no_duplicates_no_gaps(writer: LogWriter, logs_endpoint: str) -> None:
    streams = ("ecs/web/aaa", "ecs/web/bbb", "ecs/worker/ccc")
    group = writer.group("follow", streams)
    plan: list[tuple[str, str, list[str], int | None]] = []
    for burst in range(24):
        stream = streams[burst % 3]
        # every fourth burst arrives late, stamped 1 s in the past (within the least overlap)
        back = 1000 if burst % 4 == 3 else None
        plan.append((group, stream, [f"b{burst} line {i}" for i in range(40)], back))
    expected = Counter(m for _g, _s, msgs, _b in plan for m in msgs)
    async with AwsContext(endpoint_url=logs_endpoint) as aws:
        follower = Follower(
            aws,
            budget=fast(),
            sources=[LogSource(group, REGION)],
            since=now() - 10_000,
            interval=0.05,
            page_size=50,
        )
        thread = write_in_background(writer, plan, pause=0.03)
        got = await collect_until(follower, lambda evs: len(evs) >= sum(expected.values()))
        thread.join(10)
    messages = Counter(e.message for e in got)
    assert messages == expected, f"missing {expected - messages}, extra {messages - expected}"
    assert len({e.event_id for e in got}) == len(got)
    assert follower.stats.polls >= 2  # it really polled while lines were written
    assert follower.stats.duplicates > 0  # the overlap re-read lines, and they were dropped
    assert all(e.group == group for e in got)


async def test_throttling_and_server_errors_lose_nothing(writer: LogWriter, logs_endpoint: str) -> None:
    group = writer.group("throttle", ("ecs/web/t1", "ecs/web/t2"))
    plan: list[tuple[str, str, list[str], int | None]] = [
        (group, f"ecs/web/t{1 + n % 2}", [f"t{n}-{i}" for i in range(30)], None) for n in range(16)
    ]
    expected = Counter(m for _g, _s, msgs, _b in plan for m in msgs)
    # One attempt per call: botocore does not retry, so the engine's own backoff and resume are tested.
    single = ClientSettings(max_attempts=1, retry_mode="standard")
    set_faults(logs_endpoint, "throttle=0.3,5xx=0.1,only=logs,ops=FilterLogEvents,seed=11")
    try:
        async with AwsContext(endpoint_url=logs_endpoint, settings=single) as aws:
            follower = Follower(
                aws,
                [LogSource(group, REGION)],
                budget=fast(),
                since=now() - 5_000,
                interval=0.02,
                max_backoff=0.1,
                page_size=25,  # several pages per poll: a failure mid-poll resumes from its token
            )
            thread = write_in_background(writer, plan, pause=0.03)
            got = await collect_until(follower, lambda evs: len(evs) >= sum(expected.values()))
            thread.join(10)
    finally:
        set_faults(logs_endpoint, "")
    assert Counter(e.message for e in got) == expected
    assert len({e.event_id for e in got}) == len(got)
    assert follower.stats.throttled > 0
    assert follower.stats.errors > 0


async def test_several_groups_interleaved_in_time_order(writer: LogWriter, logs_endpoint: str) -> None:
    g1 = writer.group("inter-a", ("s/a/1",))
    g2 = writer.group("inter-b", ("s/b/1",))
    base = now() - 60_000
    writer.put(g1, "s/a/1", [f"a{i}" for i in range(150)], ts=base, step=20)
    writer.put(g2, "s/b/1", [f"b{i}" for i in range(150)], ts=base + 10, step=20)
    async with AwsContext(endpoint_url=logs_endpoint) as aws:
        sources = [LogSource(g1, REGION), LogSource(g2, REGION)]
        follower = Follower(
            aws, budget=fast(), sources=sources, since=base - 1000, interval=0.05, page_size=40
        )
        history = await follower.fetch_range(base - 1000, now())
        assert [e.message for e in history] == [f"{p}{i}" for i in range(150) for p in "ab"]

        # follow: catch-up (merged page by page) then live lines of both groups
        def live() -> None:
            for k in range(5):
                t = now()
                writer.put(g1, "s/a/1", [f"la{k}"], ts=t)
                writer.put(g2, "s/b/1", [f"lb{k}"], ts=t + 1)
                time.sleep(0.05)

        thread = threading.Thread(target=live, daemon=True)
        batches: list[list[LogEvent]] = []

        async def run() -> None:
            async for batch in follower:
                batches.append(batch)
                if not thread.is_alive() and not thread.ident:
                    thread.start()
                if sum(map(len, batches)) >= 310:
                    follower.stop()

        await asyncio.wait_for(run(), 45)
        thread.join(5)
    flat = [e for b in batches for e in b]
    assert [e.message for e in flat[:300]] == [f"{p}{i}" for i in range(150) for p in "ab"]
    assert Counter(e.message for e in flat[300:]) == Counter(f"l{p}{k}" for k in range(5) for p in "ab")
    for batch in batches:  # each batch is in time order, across groups
        assert [e.timestamp for e in batch] == sorted(e.timestamp for e in batch)
    assert {e.group for e in flat} == {g1, g2}


async def test_time_ranges_are_inclusive_and_exact(writer: LogWriter, logs_endpoint: str) -> None:
    group = writer.group("range")
    base = now() - 600_000
    writer.put(group, "app/web/task1", [f"m{i}" for i in range(100)], ts=base, step=1000)
    async with AwsContext(endpoint_url=logs_endpoint) as aws:
        follower = Follower(aws, budget=fast(), sources=[LogSource(group, REGION)], page_size=15)
        part = await follower.fetch_range(base + 10_000, base + 19_000)
        assert [e.message for e in part] == [f"m{i}" for i in range(10, 20)]
        limited = await follower.fetch_range(base, base + 99_000, limit=7)
        assert [e.message for e in limited] == [f"m{i}" for i in range(7)]
        # --until in the past: a follow reads the range and ends by itself
        bounded = Follower(
            aws,
            budget=fast(),
            sources=[LogSource(group, REGION)],
            since=base + 95_000,
            until=base + 97_000,
            interval=0.01,
        )
        got = await collect_until(bounded, lambda evs: False, timeout=20)
        assert [e.message for e in got] == ["m95", "m96", "m97"]
        assert not bounded.stopped  # it ended because the range was complete


async def test_fetch_before_pages_back_in_history(writer: LogWriter, logs_endpoint: str) -> None:
    group = writer.group("before")
    base = now() - 3_600_000
    # 60 lines one minute apart: windows must grow backwards to find them
    writer.put(group, "app/web/task1", [f"h{i}" for i in range(60)], ts=base, step=60_000)
    async with AwsContext(endpoint_url=logs_endpoint) as aws:
        follower = Follower(aws, budget=fast(), sources=[LogSource(group, REGION)])
        newest_first_page = await follower.fetch_before(base + 60 * 60_000, 10)
        assert [e.message for e in newest_first_page] == [f"h{i}" for i in range(50, 60)]
        older = await follower.fetch_before(newest_first_page[0].timestamp, 25)
        assert [e.message for e in older] == [f"h{i}" for i in range(25, 50)]
        oldest = await follower.fetch_before(base + 2 * 60_000, 100, floor=base - 86_400_000)
        assert [e.message for e in oldest] == ["h0", "h1"]


async def test_include_exclude_regex_and_server_pattern(writer: LogWriter, logs_endpoint: str) -> None:
    group = writer.group("filters")
    lines = [
        "INFO: GET /health 200",
        "ERROR: payment failed for order 42",
        "WARNING: slow query 1200ms",
        "ERROR: timeout talking to qdrant",
        "INFO: GET /api/items 200",
        "debug: cache hit ratio=0.93",
    ]
    base = now() - 30_000
    writer.put(group, "app/web/task1", lines, ts=base)
    async with AwsContext(endpoint_url=logs_endpoint) as aws:

        async def messages(**kwargs: object) -> list[str]:
            follower = Follower(aws, budget=fast(), sources=[LogSource(group, REGION)], **kwargs)  # type: ignore[arg-type]
            return [e.message for e in await follower.fetch_range(base - 1, now())]

        assert await messages(line_filter=LineFilter.build(["ERROR"])) == [lines[1], lines[3]]
        assert await messages(line_filter=LineFilter.build(exclude=["/health"])) == [
            line for line in lines if "/health" not in line
        ]
        assert await messages(line_filter=LineFilter.build([r"/\d{4}ms/", r"/order \d+/"])) == [
            lines[1],
            lines[2],
        ]
        assert await messages(line_filter=LineFilter.build(["/^(error|debug)/i"], exclude=["qdrant"])) == [
            lines[1],
            lines[5],
        ]
        # a CloudWatch filter pattern goes to the server (moto handles a simple term)
        assert await messages(pattern="ERROR") == [lines[1], lines[3]]
        assert await messages(pattern="ERROR", line_filter=LineFilter.build(exclude=["payment"])) == [
            lines[3]
        ]


async def test_stream_prefix_is_enforced_even_where_the_server_ignores_it(
    writer: LogWriter, logs_endpoint: str
) -> None:
    group = writer.group("prefix", ("ecs/web/1", "ecs/web/2", "ecs/worker/1"))
    base = now() - 20_000
    for stream in ("ecs/web/1", "ecs/web/2", "ecs/worker/1"):
        writer.put(group, stream, [f"{stream} says hi"], ts=base)
    async with AwsContext(endpoint_url=logs_endpoint) as aws:
        follower = Follower(aws, budget=fast(), sources=[LogSource(group, REGION, stream_prefix="ecs/web/")])
        got = await follower.fetch_range(base - 1, now())
        assert sorted(e.stream for e in got) == ["ecs/web/1", "ecs/web/2"]
        named = Follower(aws, budget=fast(), sources=[LogSource(group, REGION, streams=("ecs/worker/1",))])
        assert [e.stream for e in await named.fetch_range(base - 1, now())] == ["ecs/worker/1"]


async def test_right_stream_for_each_container_of_a_two_container_task(
    writer: LogWriter, logs_endpoint: str
) -> None:
    """wwhd's task: fastapi + qdrant in one task, one group, a stream prefix per container (e1s #256)."""
    group = writer.group("wwhd-backend", ())
    ecs = boto3.client(
        "ecs",
        region_name=REGION,
        endpoint_url=logs_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )

    def awslogs(prefix: str) -> dict[str, object]:
        return {
            "logDriver": "awslogs",
            "options": {"awslogs-group": group, "awslogs-region": REGION, "awslogs-stream-prefix": prefix},
        }

    family = f"wwhd-test-{group.rsplit('-', 1)[-1]}"
    raw = ecs.register_task_definition(
        family=family,
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="2048",
        memory="4096",
        containerDefinitions=[
            {"name": "fastapi", "image": "wwhd:1", "memory": 2048, "logConfiguration": awslogs("fastapi")},
            {
                "name": "qdrant",
                "image": "qdrant/qdrant:v1.12.4",
                "memory": 2048,
                "logConfiguration": awslogs("qdrant"),
            },
        ],
    )["taskDefinition"]
    td = to_task_definition(raw)
    task_id = "0123456789abcdef0123456789abcdef"
    other_task = "fedcba9876543210fedcba9876543210"
    assert streams_for_task(td, f"arn:aws:ecs:{REGION}:123456789012:task/wwhd-cluster/{task_id}") == [
        (group, f"fastapi/fastapi/{task_id}"),
        (group, f"qdrant/qdrant/{task_id}"),
    ]
    base = now() - 10_000
    for tid in (task_id, other_task):
        for container in ("fastapi", "qdrant"):
            stream = f"{container}/{container}/{tid}"
            writer.stream(group, stream)
            writer.put(group, stream, [f"{container} of {tid[:4]} line {i}" for i in range(3)], ts=base)
    async with AwsContext(endpoint_url=logs_endpoint) as aws:
        sources = sources_for_task(td, task_id, REGION)
        assert len(sources) == 1 and set(sources[0].streams) == {
            f"fastapi/fastapi/{task_id}",
            f"qdrant/qdrant/{task_id}",
        }
        got = await Follower(aws, budget=fast(), sources=sources).fetch_range(base - 1, now())
        assert len(got) == 6
        for event in got:
            container = event.stream.split("/")[1]
            assert event.message.startswith(f"{container} of 0123")  # each line from its own container
        only_qdrant = groups_for_service(td, REGION, task_ids=[task_id], container="qdrant")
        got = await Follower(aws, budget=fast(), sources=only_qdrant).fetch_range(base - 1, now())
        assert {e.message for e in got} == {f"qdrant of 0123 line {i}" for i in range(3)}
        whole = groups_for_service(td, REGION)  # every task of the service, now and after a deploy
        assert [s.group for s in whole] == [group]
        assert len(await Follower(aws, budget=fast(), sources=whole).fetch_range(base - 1, now())) == 12


async def test_overlap_grows_to_cover_late_streams(writer: LogWriter, logs_endpoint: str) -> None:
    """A stream that delivers seconds late (a slow awslogs flush) is still followed without a gap."""
    group = writer.group("late", ("ecs/fast/1", "ecs/slow/1"))
    writer.put(group, "ecs/slow/1", ["slow warm-up"], ts=now() - 5_000)  # ingested 5 s after its time
    async with AwsContext(endpoint_url=logs_endpoint) as aws:
        follower = Follower(
            aws, [LogSource(group, REGION)], budget=fast(), since=now() - 10_000, interval=0.2
        )
        got: list[LogEvent] = []

        async def run() -> None:
            wrote_late = False
            async for batch in follower:
                got.extend(batch)
                messages = {e.message for e in got}
                if "fast line" in messages and not wrote_late:
                    # the newest event seen is now "fast line"; this one is stamped 3 s before it
                    await asyncio.to_thread(writer.put, group, "ecs/slow/1", ["slow line"], ts=now() - 3_000)
                    wrote_late = True
                if "slow line" in messages:
                    follower.stop()

        task = asyncio.create_task(run())
        while not got:
            await asyncio.sleep(0.05)
        await asyncio.to_thread(writer.put, group, "ecs/fast/1", ["fast line"])
        try:
            await asyncio.wait_for(task, 30)
        except TimeoutError:
            follower.stop()
    assert [e.message for e in got] == ["slow warm-up", "fast line", "slow line"]
    cursor = next(iter(follower._cursors.values()))
    assert follower.overlap(cursor) > 2_000 + 1_000  # grew past the least overlap with the delay seen


async def test_a_round_of_large_events_is_bounded_in_bytes(writer: LogWriter, logs_endpoint: str) -> None:
    """CloudWatch events reach 1 MB: a round holds about ``max_batch_bytes`` (and one page), not
    ``max_batch`` events, so what waits between the reader and the pane stays small; nothing is lost."""
    group = writer.group("large")
    big = [f"event {i} " + "x" * 100_000 for i in range(40)]  # 4 MB in all
    sizes: list[int] = []
    async with AwsContext(endpoint_url=logs_endpoint) as aws:
        follower = Follower(
            aws, budget=fast(), sources=[LogSource(group, REGION)], interval=0.05, page_size=4
        )
        assert follower.max_batch_bytes == 2**20
        got: list[LogEvent] = []

        async def run() -> None:
            async for batch in follower:
                sizes.append(sum(len(e.message) for e in batch))
                got.extend(batch)
                if len(got) >= len(big):
                    follower.stop()

        reading = asyncio.ensure_future(run())
        # Written while the follow runs (or before its first poll: its window starts before now).
        await asyncio.to_thread(writer.put, group, "app/web/task1", big)
        await asyncio.wait_for(reading, 60)
    assert [e.message for e in got] == big
    assert len(sizes) >= 3 and max(sizes) <= 2**20 + 4 * 100_010, sizes

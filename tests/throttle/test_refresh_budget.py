"""Throttling respect: a sustained full inventory refresh stays inside ECS's documented token buckets.

ECS throttles per account and region and per bucket: service reads (ListServices,
DescribeServices), cluster-resource reads (ListClusters, DescribeClusters, ListTasks,
DescribeTasks) and task-definition reads each allow a burst of 100 and 20 per second sustained.
A console that refreshes 600 services in a loop needs more than that, so it must pace itself:
the demo records when each request arrived (``keep_call_log``), and the test replays the
arrivals through AWS's buckets (no request may find its bucket empty) and checks every sliding
1-second window after the first burst (at most 20 plus a small tolerance for scheduling jitter).
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Iterator

import pytest

from console.aws.context import make_gateways
from console.config import resolve_settings
from console.demo.runtime import DemoRuntime
from console.demo.server import ECS_BUCKET_OF, ECS_THROTTLE
from console.demo.world import SCALE_REGION

SERVICES = 600
LOOP_S = 8.0
# Requests the loaded machine's scheduling may bunch at the server: the console paces when it
# sends, the demo stamps when a request arrives, and threads in between run when they can.
JITTER = 10


@pytest.fixture
def scale_world(world: DemoRuntime) -> Iterator[DemoRuntime]:
    """The seeded world plus a synthetic cluster of 600 services; reset again afterwards."""
    world.builder.scale(SERVICES)
    mw = world.server.middleware
    with mw._lock:
        mw.call_log.clear()
    mw.keep_call_log = True
    try:
        yield world
    finally:
        mw.keep_call_log = False
        with mw._lock:
            mw.call_log.clear()
        world.reset()  # the next test's world has no scale cluster


async def refresh_loop(endpoint: str, seconds: float) -> int:
    """What the console's refresh does, back to back: the full inventory, again and again."""
    settings = resolve_settings(profile_name="demo", endpoint_url=endpoint, regions=(SCALE_REGION,))
    gw = make_gateways(settings)
    rounds = 0
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = await gw.ecs.inventory([SCALE_REGION])
            assert sum(len(c.services) for c in found) >= SERVICES
            rounds += 1
    finally:
        await gw.aws.close()
    return rounds


def by_bucket(log: list[tuple[float, str]]) -> dict[str, list[float]]:
    out: dict[str, list[float]] = defaultdict(list)
    for stamp, name in log:
        service, _, op = name.partition(".")
        if service == "ecs" and op in ECS_BUCKET_OF:
            out[ECS_BUCKET_OF[op]].append(stamp)
    return {k: sorted(v) for k, v in out.items()}


def rejected(stamps: list[float], burst: int, rate: float) -> int:
    """How many of these arrivals AWS's token bucket (burst, rate per second) would have throttled."""
    tokens, last, refused = float(burst), stamps[0] if stamps else 0.0, 0
    for t in stamps:
        tokens = min(burst, tokens + (t - last) * rate)
        last = t
        if tokens >= 1:
            tokens -= 1
        else:
            refused += 1
    return refused


def first_empty(stamps: list[float], burst: int, rate: float) -> float | None:
    """When the bucket first ran out: from then on, the client can only go at the refill rate."""
    tokens, last = float(burst), stamps[0] if stamps else 0.0
    for t in stamps:
        tokens = min(burst, tokens + (t - last) * rate) - 1
        last = t
        if tokens < 1:
            return t
    return None


def window_excess(
    stamps: list[float], start: float, burst: int, rate: float
) -> list[tuple[float, int, float]]:
    """1-second windows (one starting at each arrival after ``start``) holding more than the refill
    rate plus what the bucket had saved at the window's start: (start, arrivals, tokens saved).

    A client that pauses (a sequential page listing, say) saves tokens and may spend them at once,
    as AWS allows; a client that does not pace itself shows windows far above both.
    """
    saved: list[float] = []
    tokens, last = float(burst), stamps[0] if stamps else 0.0
    for t in stamps:
        tokens = min(burst, tokens + (t - last) * rate)
        last = t
        saved.append(tokens)
        tokens -= 1
    out, j = [], 0
    for i, t in enumerate(stamps):
        j = max(j, i)
        while j < len(stamps) and stamps[j] < t + 1.0:
            j += 1
        if t >= start and j - i > rate + int(saved[i]) + JITTER:
            out.append((t, j - i, saved[i]))
    return out


def test_a_sustained_refresh_loop_stays_within_ecs_read_limits(scale_world: DemoRuntime) -> None:
    rounds = asyncio.run(refresh_loop(scale_world.endpoint, LOOP_S))
    with scale_world.server.middleware._lock:
        log = list(scale_world.server.middleware.call_log)
    buckets = by_bucket(log)
    service_reads = buckets["service_read"]
    # enough demand to hit the limit: more service reads than the burst allows
    assert rounds >= 2 and len(service_reads) > 100 + 20
    for name, stamps in buckets.items():
        burst, rate = ECS_THROTTLE[next(op for op, b in ECS_BUCKET_OF.items() if b == name)]
        assert rejected(stamps, burst + JITTER, rate) == 0, f"{name}: AWS would have throttled"
    # once the first burst is spent: any 1 s window holds at most 20 (+ what a pause saved)
    after_burst = first_empty(service_reads, 100, 20)
    assert after_burst is not None, "the loop never used up the burst: not enough demand to test"
    assert window_excess(service_reads, after_burst, 100, 20) == []
    # sustained: from the first empty bucket on, 20/s on average (AWS's bound: 1 + 20 x span)
    sustained = [t for t in service_reads if t > after_burst]
    span = service_reads[-1] - after_burst
    assert span > 1 and len(sustained) <= 1 + 20 * span + JITTER
    # and held near the limit, not far below it: the loop paced itself rather than idled
    assert len(sustained) / span > 10

"""Fixtures shared by the whole suite.

moto's state is process-wide, so there is ONE embedded demo AWS per pytest process (``demo``,
session-scoped), and tests that need the seeded world as it was at start take ``world``, which
resets it first (about half a second).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from console.demo.runtime import DemoRuntime, start_demo

# Fast scheduler ticks: a rollout completes in well under a second.
DEMO_TICK_S = float(os.environ.get("OPSCONSOLE_TEST_TICK_S", "0.05"))
# ECS's rollout steps (pull, health checks, 300 s draining) 2000x faster, here and in the demo
# servers tests start as subprocesses.
os.environ.setdefault("OPSCONSOLE_DEMO_TIME_SCALE", "2000")


@pytest.fixture(scope="session")
def demo() -> Iterator[DemoRuntime]:
    """The embedded demo AWS (five seed systems, no live activity, fast ticks)."""
    runtime = start_demo(activity=False, tick_s=DEMO_TICK_S)
    try:
        yield runtime
    finally:
        runtime.stop()


@pytest.fixture
def world(demo: DemoRuntime) -> DemoRuntime:
    """The demo, reset to its freshly seeded state (request counts cleared)."""
    demo.reset()
    return demo

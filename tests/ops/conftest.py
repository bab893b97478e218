"""Fixtures for the operations tests: the seeded demo world per test, private user dirs, a recorder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from console.demo.runtime import DemoRuntime

from .scaling_support import hold_scale_in
from .support import Recorder


@pytest.fixture
def ops_world(world: DemoRuntime) -> Iterator[DemoRuntime]:
    """The demo reset to its seeded state (tests/conftest.py's ``world``), steady, with faults off;
    frameratr's scale-in suspended, so a count the tests set stays (tests/ops/test_autoscaling.py resumes it)."""
    world.server.middleware.set_faults(None)
    hold_scale_in(world)
    world.wait_steady(15)
    world.server.reset_counts()
    yield world
    world.server.middleware.set_faults(None)


@pytest.fixture(autouse=True)
def user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Audit log and profiles of the test's own, never the developer's."""
    monkeypatch.setenv("OPSCONSOLE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("OPSCONSOLE_CONFIG_DIR", str(tmp_path / "config"))
    return tmp_path


@pytest.fixture
def recorder(ops_world: DemoRuntime) -> Iterator[Recorder]:
    """Records every request the demo serves during the test."""
    rec = Recorder()
    ops_world.server.middleware.observers.append(rec)
    yield rec
    ops_world.server.middleware.observers.remove(rec)


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore's retry backoff scaled down (same attempts, same jitter, milliseconds instead of seconds),
    and adaptive mode's client-side send-rate limiter not waiting.

    Against real AWS a throttled call waits up to 20 s and adaptive mode slows a client to as
    little as 0.5 calls/s; with the demo injecting 50 % faults that makes a fault test last
    minutes without testing anything more of the operation's own handling.
    """
    from aiobotocore.retries.adaptive import AsyncClientRateLimiter
    from botocore.retries import standard

    async def no_wait(self: AsyncClientRateLimiter, request: object, **kwargs: object) -> None:
        return None

    monkeypatch.setattr(AsyncClientRateLimiter, "on_sending_request", no_wait)

    def delay_amount(self: standard.ExponentialBackoff, context: standard.RetryContext) -> float:
        return float(self._random()) * min(0.01 * 2 ** (context.attempt_number - 1), 0.2)

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", delay_amount)

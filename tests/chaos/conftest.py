"""Chaos suite fixtures: the seeded world per test, faults off around it, fast retries, private dirs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from console.demo.runtime import DemoRuntime
from tests.ops.scaling_support import hold_scale_in


@pytest.fixture(autouse=True)
def user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Audit log and profiles of the test's own, never the developer's."""
    monkeypatch.setenv("OPSCONSOLE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("OPSCONSOLE_CONFIG_DIR", str(tmp_path / "config"))
    return tmp_path


@pytest.fixture
def chaos_world(world: DemoRuntime) -> Iterator[DemoRuntime]:
    """The seeded world, steady, no faults; faults and observers left by the test are removed after it."""
    mw = world.server.middleware
    mw.set_faults(None)
    hold_scale_in(world)  # the scale operations' counts stay (see tests/ops/test_autoscaling.py)
    world.wait_steady(15)
    world.server.reset_counts()
    observers = list(mw.observers)
    yield world
    mw.set_faults(None)
    mw.observers[:] = observers


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore's retry backoff in milliseconds (same attempts, same jitter), adaptive mode not waiting.

    Against real AWS a throttled call waits up to 20 s; with the demo injecting 10-30 % faults
    on every call that makes each run minutes long without testing more of our own handling.
    """
    from aiobotocore.retries.adaptive import AsyncClientRateLimiter
    from botocore.retries import standard

    async def no_wait(self: AsyncClientRateLimiter, request: object, **kwargs: object) -> None:
        return None

    monkeypatch.setattr(AsyncClientRateLimiter, "on_sending_request", no_wait)

    def delay_amount(self: standard.ExponentialBackoff, context: standard.RetryContext) -> float:
        return float(self._random()) * min(0.01 * 2 ** (context.attempt_number - 1), 0.2)

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", delay_amount)

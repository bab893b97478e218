"""Helpers for the operations tests: boto3 clients on the demo, a request recorder, a task watcher."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3

from console.demo.runtime import DemoRuntime


def aws(runtime: DemoRuntime, service: str, region: str) -> Any:
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=runtime.endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@dataclass
class Recorder:
    """Every request the demo served while recording: (api, params, status)."""

    calls: list[tuple[str, dict[str, Any], int]] = field(default_factory=list)

    def __call__(self, api: str, params: dict[str, Any], status: int) -> None:
        self.calls.append((api, params, status))

    def of(self, api: str) -> list[dict[str, Any]]:
        return [params for name, params, status in self.calls if name == api and status == 200]

    def mutations(self) -> list[str]:
        reads = ("Describe", "List", "Get")
        return [
            name for name, _p, _s in self.calls if name.startswith("ecs.") and not name[4:].startswith(reads)
        ]


class AliveWatcher:
    """Counts a service's tasks that are not STOPPED, straight from the demo's ECS state, every few ms.

    This is the test's own check, independent of the operation's: it samples far more often
    than any operation polls, so two tasks alive at once cannot slip between two looks.
    """

    def __init__(self, region: str, cluster: str, service: str, every_s: float = 0.005) -> None:
        self.region, self.cluster, self.service = region, cluster, service
        self.every_s = every_s
        self.samples: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def alive(self) -> int:
        from console.demo.scheduler import LOCK, backend

        with LOCK:
            tasks = backend(self.region).tasks.get(self.cluster, {})
            return sum(
                1
                for t in tasks.values()
                if getattr(t, "group", "") == f"service:{self.service}" and t.last_status != "STOPPED"
            )

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append(self.alive())
            self._stop.wait(self.every_s)

    def __enter__(self) -> AliveWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def demo_args(runtime: DemoRuntime, *extra: str) -> list[str]:
    """The global and pacing options every CLI call in these tests takes."""
    return [*extra, "--profile", "demo", "--endpoint-url", runtime.endpoint, "--poll-interval", "0.1"]


Call = Callable[..., tuple[int, str, str]]


async def wait_for(pilot: Any, predicate: Callable[[], object], timeout: float = 20.0) -> None:
    """Pause the Pilot until ``predicate()`` holds (never a blind sleep)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"condition not met within {timeout}s")

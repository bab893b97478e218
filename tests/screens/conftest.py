"""Fixtures for the console's Pilot and snapshot tests: the embedded AWS, reset per test.

Uses the session ``demo`` / per-test ``world`` fixtures of tests/conftest.py when they
exist (one demo server per pytest process); otherwise starts one demo for the session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from console.config import Settings, demo_profile
from console.demo.runtime import DemoRuntime, start_demo

_OWN: list[DemoRuntime] = []


def _session_demo(request: pytest.FixtureRequest) -> DemoRuntime:
    try:
        return request.getfixturevalue("demo")
    except pytest.FixtureLookupError:
        if not _OWN:
            _OWN.append(start_demo(tick_s=0.1, activity=False))
        return _OWN[0]


@pytest.fixture
def tui_world(request: pytest.FixtureRequest) -> Iterator[DemoRuntime]:
    """The demo reset to its seeded state, steady, faults off."""
    try:
        request.getfixturevalue("world")
        runtime = request.getfixturevalue("demo")
    except pytest.FixtureLookupError:
        runtime = _session_demo(request)
        runtime.reset()
    runtime.server.middleware.set_faults(None)
    runtime.wait_steady(15)
    yield runtime
    runtime.server.middleware.set_faults(None)


@pytest.fixture(autouse=True)
def user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OPSCONSOLE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("OPSCONSOLE_CONFIG_DIR", str(tmp_path / "config"))
    return tmp_path


@pytest.fixture
def settings(tui_world: DemoRuntime) -> Settings:
    profile = demo_profile(tui_world.endpoint)
    return Settings(
        profile=profile, regions=tuple(tui_world.regions), endpoint_url=tui_world.endpoint, read_only=False
    )


@pytest.fixture
def boto(tui_world: DemoRuntime) -> Callable[[str, str], Any]:
    def make(service: str, region: str) -> Any:
        return boto3.client(
            service,
            region_name=region,
            endpoint_url=tui_world.endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    return make

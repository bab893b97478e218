"""Fixtures for the triage tests: the seeded demo per test, private user dirs, faults off."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from ops.conftest import fast_retries  # noqa: F401  (botocore's backoff in milliseconds)

from console.config import Settings, demo_profile
from console.demo.runtime import DemoRuntime


@pytest.fixture
def triage_world(world: DemoRuntime) -> Iterator[DemoRuntime]:
    world.server.middleware.set_faults(None)
    world.wait_steady(15)
    yield world
    world.server.middleware.set_faults(None)


@pytest.fixture(autouse=True)
def user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OPSCONSOLE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("OPSCONSOLE_CONFIG_DIR", str(tmp_path / "config"))
    return tmp_path


# The console's Pilot helpers (wait_for, make_app, screen_text) live beside the screens' tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "screens"))


@pytest.fixture
def settings(triage_world: DemoRuntime) -> Settings:
    return Settings(
        profile=demo_profile(triage_world.endpoint),
        regions=tuple(triage_world.regions),
        endpoint_url=triage_world.endpoint,
        read_only=False,
    )

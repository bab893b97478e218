"""Fixtures for the triage tests: the seeded demo per test, private user dirs, faults off."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from console.demo.runtime import DemoRuntime
from tests.ops.conftest import fast_retries  # noqa: F401  (botocore's backoff in milliseconds)


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

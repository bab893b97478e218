"""Fixtures for the deploys tests: the operations tests' seeded world, private user dirs and recorder."""

from __future__ import annotations

import pytest
from ops.conftest import fast_retries, ops_world, recorder, user_dirs  # noqa: F401  (shared fixtures)

from console.config import Settings, demo_profile
from console.demo.runtime import DemoRuntime


@pytest.fixture
def settings(ops_world: DemoRuntime) -> Settings:  # noqa: F811  (the fixture, by name)
    """The demo profile on the test's demo server, every demo region."""
    return Settings(
        profile=demo_profile(ops_world.endpoint),
        regions=tuple(ops_world.regions),
        endpoint_url=ops_world.endpoint,
        read_only=False,
    )

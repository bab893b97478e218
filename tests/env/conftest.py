"""Fixtures for the env tests: the seeded demo AWS per test, private user dirs, a CLI runner."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from console.cli import main
from console.config import Settings, resolve_settings
from console.demo.runtime import DemoRuntime

CliResult = tuple[int, str, str]
Cli = Callable[..., CliResult]


@pytest.fixture(autouse=True)
def user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Audit log and profiles of the test's own, never the developer's."""
    monkeypatch.setenv("OPSCONSOLE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("OPSCONSOLE_CONFIG_DIR", str(tmp_path / "config"))
    return tmp_path


@pytest.fixture
def env_world(world: DemoRuntime) -> Iterator[DemoRuntime]:
    """The seeded world, steady, no faults, request counts cleared."""
    world.server.middleware.set_faults(None)
    world.wait_steady(15)
    world.server.reset_counts()
    yield world
    world.server.middleware.set_faults(None)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], env_world: DemoRuntime) -> Cli:
    """``cli("env", "show", …)`` → (exit code, stdout, stderr), in-process, on the demo profile."""

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        rc = main([*args, "--profile", "demo", "--endpoint-url", env_world.endpoint])
        captured = capsys.readouterr()
        return rc, captured.out, captured.err

    return run


@pytest.fixture
def settings(env_world: DemoRuntime) -> Settings:
    return resolve_settings(profile_name="demo", endpoint_url=env_world.endpoint)


def ecs(runtime: DemoRuntime, region: str) -> Any:
    return boto3.client(
        "ecs",
        region_name=region,
        endpoint_url=runtime.endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def current_td(runtime: DemoRuntime, region: str, cluster: str, service: str) -> dict[str, Any]:
    """describe_task_definition(include=TAGS) of the revision the service runs now."""
    client = ecs(runtime, region)
    svc = client.describe_services(cluster=cluster, services=[service])["services"][0]
    resp = client.describe_task_definition(taskDefinition=svc["taskDefinition"], include=["TAGS"])
    resp.pop("ResponseMetadata", None)
    return dict(resp)


def container(td: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in td["taskDefinition"]["containerDefinitions"] if c["name"] == name)


def env_of(td: dict[str, Any], name: str) -> list[tuple[str, str]]:
    return [(e["name"], e["value"]) for e in container(td, name).get("environment", [])]


def mutations(runtime: DemoRuntime) -> dict[str, int]:
    """ECS write calls served since the counts were cleared."""
    reads = ("Describe", "List", "Get")
    return {
        api: n
        for api, n in runtime.server.counts().items()
        if api.startswith("ecs.") and not api[4:].startswith(reads)
    }
